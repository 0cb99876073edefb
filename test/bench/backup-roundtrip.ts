// SC-003: backup/restore round trips of a small dataset against local servers (versitygw,
// redis-server, MariaDB), recording the success rate and throughput. Not part of `make test`.
//   npm run bench:backup                    # 200 redis + 200 mysql round trips
//   ROUNDS=50 npm run bench:backup          # fewer
// Each round trip: back up the source to S3 (streamed, SHA-256), restore into a target (download,
// verify, load), then check the target's data equals the source's. A round trip succeeds only if
// all three steps do. Results: test/bench/results/backup-roundtrip.{json,md}.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createS3Client, type S3StorageConfig } from '../../src/backup/s3/client.ts';
import { mysqlDriver } from '../../src/backup/tools/mysql.ts';
import { redisDriver } from '../../src/backup/tools/redis.ts';
import { runBackup, runRestore } from '../../src/backup/tools/run.ts';
import { type LocalMariadb, startLocalMariadb } from '../services/backup/helpers/local-mariadb.ts';
import { startLocalRedis } from '../services/backup/helpers/local-redis.ts';
import { s3ServerBinary, startS3Server } from '../support/s3-server.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 200);
const REDIS_KEYS = 4000;
const MYSQL_ROWS = 4000;
const resultsDir = join(import.meta.dirname, 'results');

interface Round {
  ok: boolean;
  size: number;
  backupMs: number;
  restoreMs: number;
  verifyMs: number;
  error?: string;
}

function summarize(rounds: Round[]) {
  const ok = rounds.filter((r) => r.ok);
  const sum = (f: (r: Round) => number) => ok.reduce((a, r) => a + f(r), 0);
  const totalBytes = sum((r) => r.size);
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : 0;
  };
  const rt = ok.map((r) => r.backupMs + r.restoreMs);
  const mbps = (bytes: number, ms: number) => (ms > 0 ? Number((bytes / 1e6 / (ms / 1000)).toFixed(2)) : 0);
  return {
    attempts: rounds.length,
    successes: ok.length,
    successRate: rounds.length ? ok.length / rounds.length : 0,
    artifactBytes: ok[0]?.size ?? 0,
    backupMBps: mbps(
      totalBytes,
      sum((r) => r.backupMs),
    ),
    restoreMBps: mbps(
      totalBytes,
      sum((r) => r.restoreMs),
    ),
    roundTripMBps: mbps(
      totalBytes,
      sum((r) => r.backupMs + r.restoreMs),
    ),
    roundTripMsP50: Math.round(pct(rt, 50)),
    roundTripMsP95: Math.round(pct(rt, 95)),
    failures: rounds.filter((r) => !r.ok).map((r) => r.error),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

function version(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
}

const activeCleanups: (() => Promise<unknown>)[] = [];

async function main(): Promise<void> {
  const started = new Date();
  // Every server started is stopped on the way out, even when a step throws.
  const cleanups = activeCleanups;
  const s3 = await startS3Server();
  cleanups.push(() => s3.stop());
  await s3.createBucket('bench');
  const storage: S3StorageConfig = {
    endpoint: s3.endpoint,
    bucket: 'bench',
    region: s3.region,
    prefix: 'bench',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
  const client = createS3Client(storage);
  const work = mkdtempSync(join(tmpdir(), 'mwop-bench-'));

  // ---- redis -------------------------------------------------------------------------------
  const redis = await startLocalRedis();
  cleanups.push(() => redis.destroy());
  const rc = redis.client();
  const expected: Record<string, string> = {};
  for (let i = 0; i < REDIS_KEYS; i++)
    expected[`k:${i}`] = createHash('sha256').update(String(i)).digest('hex').repeat(8);
  await rc.mset(expected);
  const keys = Object.keys(expected);
  const want = Object.values(expected);

  const redisRounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const round: Round = { ok: false, size: 0, backupMs: 0, restoreMs: 0, verifyMs: 0 };
    const dataDir = mkdtempSync(join(work, 'redis-'));
    try {
      const [out, backupMs] = await timed(() =>
        runBackup({
          client,
          storage,
          namespace: 'bench',
          instance: 'cache',
          backup: `cache-${i}`,
          pluginVersion: 'v1',
          middlewareVersion: '7.0',
          instanceSpec: { type: 'redis', pluginVersion: 'v1', storage: { size: '1Gi' } },
          driver: redisDriver,
          source: { host: '127.0.0.1', port: redis.port, password: redis.password },
        }),
      );
      round.size = out.metadata.size;
      round.backupMs = backupMs;
      [, round.restoreMs] = await timed(() =>
        runRestore({
          client,
          storage,
          metadataKey: out.metadataKey,
          driver: redisDriver,
          target: { dataDir },
        }),
      );
      const t0 = performance.now();
      const target = await startLocalRedis({ dataDir });
      try {
        const got = await target.client().mget(keys);
        const size = await target.client().dbsize();
        if (size !== REDIS_KEYS || got.some((v, j) => v !== want[j]))
          throw new Error(`restored data differs (dbsize ${size})`);
      } finally {
        await target.destroy();
      }
      round.verifyMs = performance.now() - t0;
      round.ok = true;
    } catch (err) {
      round.error = `redis round ${i}: ${(err as Error).message}`;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    redisRounds.push(round);
    if ((i + 1) % 50 === 0) process.stderr.write(`redis ${i + 1}/${ROUNDS}\n`);
  }
  await (cleanups.pop() as () => Promise<unknown>)(); // redis

  // ---- mysql (MariaDB) ---------------------------------------------------------------------
  const source = await startLocalMariadb();
  cleanups.push(() => source.stop());
  const target = await startLocalMariadb();
  cleanups.push(() => target.stop());
  const sc = await source.connect();
  await sc.query(
    'CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(64), body TEXT, price DECIMAL(10,2));',
  );
  const rows: unknown[][] = [];
  for (let i = 1; i <= MYSQL_ROWS; i++) rows.push([i, `item ${i}`, 'lorem ipsum '.repeat(16), i / 4]);
  await sc.query('INSERT INTO shop.items VALUES ?', [rows]);
  const checksum = async (db: LocalMariadb) => {
    const c = await db.connect();
    const [[r]] = (await c.query('CHECKSUM TABLE shop.items')) as unknown as [[{ Checksum: number }]];
    const [[n]] = (await c.query('SELECT COUNT(*) AS n FROM shop.items')) as unknown as [[{ n: number }]];
    await c.end();
    return `${r.Checksum}/${n.n}`;
  };
  await sc.end();
  const sourceSum = await checksum(source);

  const mysqlRounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const round: Round = { ok: false, size: 0, backupMs: 0, restoreMs: 0, verifyMs: 0 };
    try {
      // Start each round from an empty target so a stale table cannot pass the check.
      const tc = await target.connect();
      await tc.query('DROP DATABASE IF EXISTS shop');
      await tc.end();
      const [out, backupMs] = await timed(() =>
        runBackup({
          client,
          storage,
          namespace: 'bench',
          instance: 'db',
          backup: `db-${i}`,
          pluginVersion: 'v1',
          middlewareVersion: '10.11',
          instanceSpec: { type: 'mysql', pluginVersion: 'v1', storage: { size: '1Gi' } },
          driver: mysqlDriver,
          source: { host: '127.0.0.1', port: source.port, user: source.user, password: source.password },
        }),
      );
      round.size = out.metadata.size;
      round.backupMs = backupMs;
      [, round.restoreMs] = await timed(() =>
        runRestore({
          client,
          storage,
          metadataKey: out.metadataKey,
          driver: mysqlDriver,
          target: { host: '127.0.0.1', port: target.port, user: target.user, password: target.password },
        }),
      );
      const t0 = performance.now();
      const got = await checksum(target);
      if (got !== sourceSum) throw new Error(`restored checksum/count ${got} != source ${sourceSum}`);
      round.verifyMs = performance.now() - t0;
      round.ok = true;
    } catch (err) {
      round.error = `mysql round ${i}: ${(err as Error).message}`;
    }
    mysqlRounds.push(round);
    if ((i + 1) % 50 === 0) process.stderr.write(`mysql ${i + 1}/${ROUNDS}\n`);
  }
  while (cleanups.length > 1) await (cleanups.pop() as () => Promise<unknown>)(); // MariaDB servers
  client.destroy();
  await (cleanups.pop() as () => Promise<unknown>)(); // S3
  rmSync(work, { recursive: true, force: true });

  const redisSummary = summarize(redisRounds);
  const mysqlSummary = summarize(mysqlRounds);
  const all = [...redisRounds, ...mysqlRounds];
  const result = {
    benchmark: 'SC-003 backup/restore round trips',
    date: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    servers: {
      s3: `versitygw (${s3ServerBinary().split('/').at(-2)}), posix backend, loopback`,
      redis: version('redis-server', ['--version']),
      mariadb: version('mariadbd', ['--version']),
    },
    dataset: { redisKeys: REDIS_KEYS, mysqlRows: MYSQL_ROWS },
    roundTripsPerType: ROUNDS,
    overall: {
      attempts: all.length,
      successes: all.filter((r) => r.ok).length,
      successRate: all.filter((r) => r.ok).length / all.length,
    },
    redis: redisSummary,
    mysql: mysqlSummary,
  };
  writeFileSync(join(resultsDir, 'backup-roundtrip.json'), `${JSON.stringify(result, null, 2)}\n`);
  const row = (name: string, s: ReturnType<typeof summarize>) =>
    `| ${name} | ${s.attempts} | ${s.successes} | ${(s.successRate * 100).toFixed(1)}% | ${(s.artifactBytes / 1e6).toFixed(2)} MB | ${s.backupMBps} | ${s.restoreMBps} | ${s.roundTripMBps} | ${s.roundTripMsP50} / ${s.roundTripMsP95} |`;
  const md = `# SC-003: backup/restore round trips

Run: \`npm run bench:backup\` on ${result.date} (${result.durationSeconds} s), ${result.machine.cpus} CPUs (${result.machine.cpuModel}), Node ${result.machine.node}.
Servers: ${result.servers.s3}; ${result.servers.redis}; ${result.servers.mariadb}.

Each round trip backs up the source to S3 (streamed multipart upload with SHA-256), restores it into a
target (download, verify SHA-256, then load: a fresh redis-server data dir, or an emptied MariaDB),
and checks the target's data equals the source's (Redis: every key's value and DBSIZE; MariaDB:
CHECKSUM TABLE and row count). A round trip counts as a success only if all three steps pass.

**Overall: ${result.overall.successes}/${result.overall.attempts} round trips succeeded (${(result.overall.successRate * 100).toFixed(2)}%; goal 100%, floor 99.5%).**

| type | attempts | successes | success rate | artifact | backup MB/s | restore MB/s | round-trip MB/s | round trip ms p50 / p95 |
|---|---|---|---|---|---|---|---|---|
${row(`redis (${REDIS_KEYS} keys)`, redisSummary)}
${row(`mysql (${MYSQL_ROWS} rows)`, mysqlSummary)}

MB/s is artifact bytes over the wall time of the step (10^6 bytes). With a small dataset the fixed
costs (process start of redis-cli / mariadb-dump / mariadb, the S3 requests, MariaDB replaying the
system tables of an all-databases dump) dominate, so these figures are a floor, not the line rate.
Verification time (starting a fresh redis-server, checksumming the table) is not included.
${
  all.some((r) => !r.ok)
    ? `\nFailures:\n\n${all
        .filter((r) => !r.ok)
        .map((r) => `- ${r.error}`)
        .join('\n')}\n`
    : ''
}`;
  writeFileSync(join(resultsDir, 'backup-roundtrip.md'), md);
  process.stdout.write(md);
  if (result.overall.successRate < 0.995) process.exitCode = 1;
}

try {
  await main();
} finally {
  // Only reached with servers still registered if main() threw.
  for (const stop of activeCleanups.splice(0).reverse()) await stop().catch(() => undefined);
}
