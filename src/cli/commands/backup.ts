// kubectl mw backup create|list|sync|prune
//   create <instance>   a MiddlewareBackup; the operator runs the backup tool pod as a workflow
//   list                the backups, newest state from their status
//   sync --storage X    rebuilds MiddlewareBackup CRs that exist only as metadata in S3
//   prune --instance I  applies a retention policy (the retention-cleanup workflow step runs it)
import type { Command } from 'commander';
import type { BackupStorage, MiddlewareBackup } from '../../api/index.ts';
import { type CatalogEntry, missingBackups, readCatalog } from '../../backup/catalog.ts';
import { FieldValueError } from '../../backup/errors.ts';
import { pruneBackups } from '../../backup/prune.ts';
import { parseRetention, type RetentionPolicy } from '../../backup/retention.ts';
import { createS3Client, storageConfigFromSpec } from '../../backup/s3/client.ts';
import { s3ConfigFromEnv } from '../../backup/s3/env-config.ts';
import { isConflict, isForbidden, isNotFound } from '../../kube/errors.ts';
import { listInAllNamespaces } from '../all-namespaces.ts';
import { type CliContext, cliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { formatObjects, objectName, parseOutputFormat } from '../output.ts';
import { backupPath, denied, getInstance, listAll, storagePath } from '../resources.ts';
import { backupTable } from '../views.ts';

const MERGE = 'application/merge-patch+json';

export function register(program: Command): void {
  const backup = program.command('backup').description('Back up instances and manage their backups');

  backup
    .command('create <instance>')
    .description('Take a backup now (creates a MiddlewareBackup)')
    .option('--name <name>', 'backup name (default: <instance>-<yyyymmddhhmmss>)')
    .option('--storage <name>', "BackupStorage to write to (default: the instance's spec.backup.storage)")
    .option('--pin', 'never delete this backup by retention policy')
    .action(
      async (
        instanceName: string,
        opts: { name?: string; storage?: string; pin?: boolean },
        cmd: Command,
      ) => {
        const ctx = cliContext(cmd);
        const instance = await getInstance(ctx, instanceName);
        const storage = opts.storage ?? instance.spec.backup?.storage;
        if (!storage) {
          throw new CliError(
            `${instanceName} has no spec.backup.storage, so the backup has nowhere to go`,
            `pass --storage <name>; \`kubectl get backupstorages\` lists them`,
          );
        }
        // Checked for a clear error; a user who may not read BackupStorages (cluster-scoped) still
        // gets the backup, and the operator reports a bad storage in its status.
        await ensureStorage(ctx, storage, { allowForbidden: true });
        const name = opts.name ?? `${instanceName}-${stamp(new Date())}`;
        const obj: MiddlewareBackup = {
          apiVersion: 'mwop.dev/v1alpha1',
          kind: 'MiddlewareBackup',
          metadata: {
            name,
            namespace: ctx.namespace,
            labels: { 'mwop.dev/instance': instanceName, 'mwop.dev/type': instance.spec.type },
          },
          spec: {
            instanceRef: { name: instanceName },
            storage,
            ...(opts.pin ? { retention: { pinned: true } } : {}),
          },
        };
        try {
          await ctx.rest.post(backupPath(ctx.namespace), obj, { query: { fieldManager: 'kubectl-mw' } });
        } catch (err) {
          if (isConflict(err)) {
            throw new CliError(
              `backup ${name} already exists in namespace ${ctx.namespace}`,
              'pass another --name',
            );
          }
          throw denied(ctx, err, 'create', 'middlewarebackups', ctx.namespace);
        }
        ctx.out.write(
          `${objectName('MiddlewareBackup', name)} created (instance ${instanceName}, storage ${storage})\n`,
        );
        ctx.out.write(`next: \`kubectl mw backup list -n ${ctx.namespace}\` shows when it completes\n`);
      },
    );

  backup
    .command('list')
    .description('List backups: instance, phase, size, storage and completion')
    .option('-A, --all-namespaces', 'every namespace you may list backups in')
    .option('--instance <name>', 'only the backups of this instance')
    .option('-o, --output <format>', 'yaml, json, wide or name')
    .action(async (opts: { allNamespaces?: boolean; instance?: string; output?: string }, cmd: Command) => {
      const format = parseOutputFormat(opts.output);
      const ctx = cliContext(cmd);
      let items: MiddlewareBackup[];
      if (opts.allNamespaces) {
        const res = await listInAllNamespaces<MiddlewareBackup>(
          ctx,
          'middlewarebackups',
          backupPath(),
          (ns) => backupPath(ns),
          ctx.kubeconfigNamespaces,
        );
        items = res.items;
        if (res.note) ctx.err.write(`note: ${res.note}\n`);
      } else {
        try {
          items = await listAll<MiddlewareBackup>(ctx.rest, backupPath(ctx.namespace));
        } catch (err) {
          throw denied(ctx, err, 'list', 'middlewarebackups', ctx.namespace);
        }
      }
      if (opts.instance) items = items.filter((b) => b.spec.instanceRef.name === opts.instance);
      if (format === 'yaml' || format === 'json') {
        ctx.out.write(formatObjects(items, format, false));
        return;
      }
      if (format === 'name') {
        for (const b of items) ctx.out.write(`${objectName('MiddlewareBackup', b.metadata.name ?? '')}\n`);
        return;
      }
      if (items.length === 0) {
        ctx.err.write(
          `No backups found${opts.instance ? ` of ${opts.instance}` : ''} in ${opts.allNamespaces ? 'the namespaces you may list' : `${ctx.namespace} namespace`}.\n`,
        );
        ctx.err.write(
          '  next: `kubectl mw backup create <instance>` takes one; `kubectl mw backup sync --storage <name>` finds those that exist only in S3\n',
        );
        return;
      }
      ctx.out.write(
        backupTable(items, {
          allNamespaces: Boolean(opts.allNamespaces),
          wide: format === 'wide',
          now: new Date(),
        }),
      );
    });

  backup
    .command('sync')
    .description('Rebuild missing MiddlewareBackup CRs from the metadata files in S3')
    .requiredOption('--storage <name>', 'BackupStorage to read')
    .option(
      '-A, --all-namespaces',
      'every namespace found in the bucket (default: only -n or the current namespace)',
    )
    .option('--instance <name>', 'only the backups of this instance')
    .option('--dry-run', 'show what would be created, create nothing')
    .action(
      async (
        opts: { storage: string; allNamespaces?: boolean; instance?: string; dryRun?: boolean },
        cmd: Command,
      ) => {
        const ctx = cliContext(cmd);
        const storage = (await ensureStorage(ctx, opts.storage)) as BackupStorage;
        const cfg = storageConfigFromSpec(
          storage.spec,
          await storageCredentials(ctx, storage),
          `backupstorage ${opts.storage} spec`,
        );
        const client = createS3Client(cfg);
        const filter = opts.allNamespaces
          ? {}
          : { namespace: ctx.namespace, ...(opts.instance ? { instance: opts.instance } : {}) };
        let catalog: Awaited<ReturnType<typeof readCatalog>>;
        try {
          catalog = await readCatalog(client, cfg, opts.storage, filter);
        } catch (err) {
          throw new CliError(
            `cannot read the backup catalog from ${cfg.endpoint} bucket ${cfg.bucket}: ${(err as Error).message}`,
            `check the endpoint and credentials of BackupStorage ${opts.storage} (\`kubectl get backupstorage ${opts.storage} -o yaml\` shows its probe status)`,
          );
        } finally {
          client.destroy();
        }
        const namespaces = [...new Set(catalog.entries.map((e) => e.metadata.namespace))];
        const existing: { namespace?: string; name?: string }[] = [];
        for (const ns of namespaces) {
          const list = await listAll<MiddlewareBackup>(ctx.rest, backupPath(ns)).catch((err) => {
            throw denied(ctx, err, 'list', 'middlewarebackups', ns);
          });
          for (const b of list) existing.push({ namespace: b.metadata.namespace, name: b.metadata.name });
        }
        const missing = missingBackups(catalog.entries, existing);
        let created = 0;
        for (const entry of missing) {
          if (opts.dryRun) {
            ctx.out.write(
              `would create ${entry.metadata.namespace}/${entry.metadata.name} from s3://${cfg.bucket}/${entry.metadataKey}\n`,
            );
            continue;
          }
          await createSynced(ctx, entry);
          created++;
          ctx.out.write(
            `${objectName('MiddlewareBackup', entry.metadata.name)} created in ${entry.metadata.namespace} from s3://${cfg.bucket}/${entry.metadataKey}\n`,
          );
        }
        for (const p of catalog.problems) ctx.err.write(`warning: skipped ${p.metadataKey}: ${p.message}\n`);
        ctx.out.write(
          `${catalog.entries.length} backup${catalog.entries.length === 1 ? '' : 's'} in ${opts.storage}, ${catalog.entries.length - missing.length} already present, ${opts.dryRun ? `${missing.length} would be created` : `${created} created`}${catalog.problems.length ? `, ${catalog.problems.length} unreadable (see warnings)` : ''}\n`,
        );
      },
    );
  backup
    .command('prune')
    .description(
      'Delete the backups of an instance that a retention policy no longer keeps (S3 objects, then CRs); never the newest successful one',
    )
    .requiredOption('--instance <name>', 'MiddlewareInstance whose backups are pruned')
    .option('--max-count <n>', 'keep at most this many successful backups; empty: no count limit', '')
    .option(
      '--max-age <duration>',
      'delete backups older than this (for example 720h); empty: no age limit',
      '',
    )
    .option('--dry-run [bool]', 'true: only print what would be deleted', 'false')
    .option(
      '--storage <name>',
      'only delete objects in this BackupStorage (victims stored elsewhere are skipped); with MWOP_S3_ENDPOINT set, its settings and keys come from the environment (the workflow step) and no BackupStorage or Secret is read',
    )
    .action(
      async (
        opts: {
          instance: string;
          maxCount: string;
          maxAge: string;
          dryRun: string | boolean;
          storage?: string;
        },
        cmd: Command,
      ) => {
        const ctx = cliContext(cmd);
        const policy = prunePolicy(opts.maxCount, opts.maxAge);
        const dryRun = parseBool(opts.dryRun, '--dry-run');
        const fromEnv = pruneS3FromEnv(process.env, opts.storage);
        const clients: { destroy(): void }[] = [];
        const s3 = new Map<string, Promise<{ client: ReturnType<typeof createS3Client>; bucket: string }>>();
        const s3For = (name: string) => {
          let p = s3.get(name);
          if (!p) {
            p = (async () => {
              const cfg =
                fromEnv ??
                (await (async () => {
                  const storage = (await ensureStorage(ctx, name)) as BackupStorage;
                  return storageConfigFromSpec(
                    storage.spec,
                    await storageCredentials(ctx, storage),
                    `backupstorage ${name} spec`,
                  );
                })());
              const client = createS3Client(cfg);
              clients.push(client);
              return { client, bucket: cfg.bucket };
            })();
            s3.set(name, p);
          }
          return p;
        };
        let result: Awaited<ReturnType<typeof pruneBackups>>;
        try {
          result = await pruneBackups(
            { rest: ctx.rest, s3For },
            {
              namespace: ctx.namespace,
              instance: opts.instance,
              policy,
              now: Date.now(),
              dryRun,
              ...(opts.storage ? { storage: opts.storage } : {}),
            },
          );
        } catch (err) {
          if (err instanceof CliError) throw err;
          throw denied(ctx, err, 'delete', 'middlewarebackups', ctx.namespace);
        } finally {
          for (const c of clients) c.destroy();
        }
        const verb = dryRun ? 'would delete' : 'deleted';
        for (const v of result.victims) {
          ctx.out.write(`${verb} ${objectName('MiddlewareBackup', v.name)} (${v.reason})\n`);
        }
        for (const v of result.skipped) {
          ctx.out.write(
            `skipped ${objectName('MiddlewareBackup', v.name)} (${v.reason}): its objects are in storage ${v.storage}, left to that storage's step\n`,
          );
        }
        for (const key of result.deletedObjects) ctx.out.write(`deleted s3 object ${key}\n`);
        ctx.out.write(
          `${result.victims.length} backup${result.victims.length === 1 ? '' : 's'} of ${opts.instance} in ${ctx.namespace} ${dryRun ? 'would be deleted' : 'deleted'}\n`,
        );
      },
    );
}

/**
 * The S3 config of the retention-cleanup step, from the environment the template sets; undefined
 * when MWOP_S3_ENDPOINT is unset (then the BackupStorage and its Secret are read, as an admin may).
 */
export function pruneS3FromEnv(
  env: Record<string, string | undefined>,
  storage: string | undefined,
): ReturnType<typeof s3ConfigFromEnv> {
  let cfg: ReturnType<typeof s3ConfigFromEnv>;
  try {
    cfg = s3ConfigFromEnv(env);
  } catch (err) {
    if (err instanceof FieldValueError)
      throw new CliError(err.message, 'see `kubectl mw backup prune --help`');
    throw err;
  }
  if (cfg && !storage) {
    throw new CliError(
      `--storage: not set, but MWOP_S3_ENDPOINT (${cfg.endpoint}) describes one BackupStorage`,
      'pass --storage <the name of the BackupStorage those settings belong to>',
    );
  }
  return cfg;
}

/** --max-count/--max-age as the workflow passes them: an empty value means no limit. */
export function prunePolicy(maxCount: string, maxAge: string): RetentionPolicy {
  const raw: { maxCount?: number; maxAge?: string } = {};
  if (maxCount.trim() !== '') {
    const n = Number(maxCount);
    if (!/^\s*\d+\s*$/.test(maxCount) || !Number.isInteger(n)) {
      throw new CliError(
        `--max-count: ${JSON.stringify(maxCount)} is not a whole number`,
        'pass an integer >= 1, or an empty value for no count limit',
      );
    }
    raw.maxCount = n;
  }
  if (maxAge.trim() !== '') raw.maxAge = maxAge.trim();
  if (raw.maxCount === undefined && raw.maxAge === undefined) return {};
  try {
    return parseRetention(raw, '--');
  } catch (err) {
    if (err instanceof FieldValueError) {
      const msg = err.message.replace(/^--\.maxCount/, '--max-count').replace(/^--\.maxAge/, '--max-age');
      throw new CliError(msg, 'see `kubectl mw backup prune --help`');
    }
    throw err;
  }
}

function parseBool(v: string | boolean, flag: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '') return true;
  if (v === 'false') return false;
  throw new CliError(`${flag}: ${JSON.stringify(v)} is not a boolean`, 'pass true or false');
}

/** yyyymmddhhmmss in UTC, for default backup names. */
export function stamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function ensureStorage(
  ctx: CliContext,
  name: string,
  opts: { allowForbidden?: boolean } = {},
): Promise<BackupStorage | undefined> {
  try {
    return await ctx.rest.get<BackupStorage>(storagePath(name));
  } catch (err) {
    if (isNotFound(err)) {
      const names = await listAll<BackupStorage>(ctx.rest, storagePath())
        .then((l) => l.map((s) => s.metadata.name ?? '').sort())
        .catch(() => undefined);
      throw new CliError(
        `BackupStorage ${JSON.stringify(name)} does not exist`,
        names && names.length > 0
          ? `use one of: ${names.join(', ')}`
          : 'a platform admin creates one (kind BackupStorage); `kubectl get backupstorages` lists them',
      );
    }
    if (isForbidden(err)) {
      if (opts.allowForbidden) return undefined;
      throw new CliError(
        `you may not read BackupStorage ${name}`,
        'ask a platform admin for read access to backupstorages.mwop.dev',
      );
    }
    throw err;
  }
}

async function storageCredentials(ctx: CliContext, storage: BackupStorage) {
  const ref = storage.spec.credentialsSecretRef;
  let secret: { data?: Record<string, string> };
  try {
    secret = await ctx.rest.get(
      `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`,
    );
  } catch (err) {
    if (isForbidden(err) || isNotFound(err)) {
      throw new CliError(
        `cannot read the S3 credentials of BackupStorage ${storage.metadata.name}: Secret ${ref.namespace}/${ref.name} ${isNotFound(err) ? 'does not exist' : 'is not readable by you'}`,
        'sync reads S3 with the storage credentials; run it as a platform admin, or let the operator sync periodically',
      );
    }
    throw err;
  }
  const idKey = ref.accessKeyIdKey ?? 'accessKeyId';
  const secretKey = ref.secretAccessKeyKey ?? 'secretAccessKey';
  const decode = (k: string) => {
    const v = secret.data?.[k];
    if (v === undefined) {
      throw new CliError(
        `Secret ${ref.namespace}/${ref.name} has no key ${k}`,
        `its keys are: ${Object.keys(secret.data ?? {}).join(', ') || '(none)'}; fix spec.credentialsSecretRef of BackupStorage ${storage.metadata.name}`,
      );
    }
    return Buffer.from(v, 'base64').toString('utf8');
  };
  return { accessKeyId: decode(idKey), secretAccessKey: decode(secretKey) };
}

/** Creates the CR, then writes its status through the status subresource (create ignores status). */
async function createSynced(ctx: CliContext, entry: CatalogEntry): Promise<void> {
  const { status, ...obj } = entry.backup;
  const ns = entry.metadata.namespace;
  try {
    await ctx.rest.post(backupPath(ns), obj, { query: { fieldManager: 'kubectl-mw' } });
  } catch (err) {
    if (isConflict(err)) return; // created meanwhile (by the operator's periodic sync)
    throw denied(ctx, err, 'create', 'middlewarebackups', ns);
  }
  if (status) {
    await ctx.rest.patch(`${backupPath(ns, entry.metadata.name)}/status`, { status }, MERGE, {
      query: { fieldManager: 'kubectl-mw' },
    });
  }
}
