// The backup tool, run as a step of the backup or restore workflow in its own pod (never inside
// the business pod). Prints one JSON line with the result, also written to --result-file for the
// workflow's output parameters.
// Exit status: 0 done, 1 failed, 2 bad arguments, 3 checksum mismatch (nothing was restored),
// 124 timed out.
import { writeFileSync } from 'node:fs';
import { FieldValueError } from '../errors.ts';
import { createS3Client } from '../s3/client.ts';
import { ChecksumMismatchError } from '../s3/transfer.ts';
import { parseToolConfig, type ToolConfig, USAGE } from './config.ts';
import { mysqlDriver } from './mysql.ts';
import { killRunningChildren } from './process.ts';
import { redisDriver } from './redis.ts';
import { runBackup, runRestore } from './run.ts';

export async function runTool(cfg: ToolConfig): Promise<Record<string, unknown>> {
  const client = createS3Client(cfg.storage);
  try {
    if (cfg.command === 'backup') {
      const common = {
        client,
        storage: cfg.storage,
        namespace: cfg.namespace,
        instance: cfg.instance,
        backup: cfg.backup,
        pluginVersion: cfg.pluginVersion,
        middlewareVersion: cfg.middlewareVersion,
        instanceSpec: cfg.instanceSpec,
      };
      const { host, port, user, password } = cfg.source;
      const out =
        cfg.type === 'redis'
          ? await runBackup({
              ...common,
              driver: redisDriver,
              source: { host, port, ...(user ? { username: user } : {}), ...(password ? { password } : {}) },
            })
          : await runBackup({
              ...common,
              driver: mysqlDriver,
              source: {
                host,
                port,
                user: user ?? '',
                ...(password !== undefined ? { password } : {}),
                ...(cfg.mysqlDumpBin ? { dumpBin: cfg.mysqlDumpBin } : {}),
              },
            });
      return {
        phase: 'Succeeded',
        bucket: cfg.storage.bucket,
        path: out.dataKey,
        metadataPath: out.metadataKey,
        size: out.metadata.size,
        sha256: out.metadata.sha256,
        startTime: out.metadata.startTime,
        completionTime: out.metadata.completionTime,
      };
    }
    const meta =
      cfg.type === 'redis'
        ? await runRestore({
            client,
            storage: cfg.storage,
            metadataKey: cfg.metadataKey,
            driver: redisDriver,
            target: {
              dataDir: cfg.dataDir ?? '',
              rdbFileName: cfg.rdbFileName ?? 'dump.rdb',
              ...(cfg.target ? { mustNotServe: { host: cfg.target.host, port: cfg.target.port } } : {}),
            },
          })
        : await runRestore({
            client,
            storage: cfg.storage,
            metadataKey: cfg.metadataKey,
            driver: mysqlDriver,
            target: {
              host: cfg.target?.host ?? '',
              port: cfg.target?.port ?? 3306,
              user: cfg.target?.user ?? '',
              ...(cfg.target?.password !== undefined ? { password: cfg.target.password } : {}),
              ...(cfg.mysqlClientBin ? { clientBin: cfg.mysqlClientBin } : {}),
            },
          });
    return {
      phase: 'Succeeded',
      restored: `${meta.namespace}/${meta.name}`,
      sha256: meta.sha256,
      size: meta.size,
    };
  } finally {
    client.destroy();
  }
}

function report(cfg: ToolConfig | undefined, result: Record<string, unknown>): void {
  const line = JSON.stringify(result);
  process.stdout.write(`${line}\n`);
  if (cfg?.resultFile) writeFileSync(cfg.resultFile, line);
}

async function main(): Promise<number> {
  let cfg: ToolConfig | undefined;
  try {
    cfg = parseToolConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${err instanceof FieldValueError ? '' : `${USAGE}\n`}`);
    return 2;
  }
  // The run races its deadline; whichever finishes first reports, exactly once.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    if (cfg.timeoutSeconds > 0) timer = setTimeout(() => resolve('timeout'), cfg.timeoutSeconds * 1000);
  });
  const work = runTool(cfg).then(
    (result) => ({ ok: true as const, result }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  const outcome = await Promise.race([work, deadline]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    report(cfg, {
      phase: 'Failed',
      reason: 'Timeout',
      message: `${cfg.command} did not finish within ${cfg.timeoutSeconds}s`,
    });
    await killRunningChildren();
    return 124;
  }
  if (outcome.ok) {
    report(cfg, outcome.result);
    return 0;
  }
  const mismatch = outcome.err instanceof ChecksumMismatchError;
  report(cfg, {
    phase: 'Failed',
    reason: mismatch ? 'ChecksumMismatch' : 'ToolFailed',
    message: (outcome.err as Error).message,
  });
  return mismatch ? 3 : 1;
}

if (import.meta.main) {
  // exit() rather than exitCode: after a timeout, sockets of the abandoned run may still be open.
  process.exit(await main());
}
