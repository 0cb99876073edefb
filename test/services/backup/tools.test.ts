// The backup tools with real data: real redis-server and MariaDB, a real S3 server. Back up,
// restore into a fresh server, compare; corrupt one byte in S3 and show the restore refuses and
// leaves the target untouched.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMetadata } from '../../../src/backup/metadata.ts';
import { createS3Client, type S3StorageConfig } from '../../../src/backup/s3/client.ts';
import { ChecksumMismatchError, getText } from '../../../src/backup/s3/transfer.ts';
import { mysqlDriver } from '../../../src/backup/tools/mysql.ts';
import { redisDriver } from '../../../src/backup/tools/redis.ts';
import { runBackup, runRestore } from '../../../src/backup/tools/run.ts';
import { type S3Server, startS3Server } from '../../support/s3-server.ts';
import { type LocalMariadb, startLocalMariadb } from './helpers/local-mariadb.ts';
import { type LocalRedis, startLocalRedis as startRedisServer } from './helpers/local-redis.ts';

let s3: S3Server;
let storage: S3StorageConfig;

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket('mwop-backups');
  storage = {
    endpoint: s3.endpoint,
    bucket: 'mwop-backups',
    region: s3.region,
    prefix: 'prod',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
});

// Every redis-server a test starts is also destroyed here, so a failing assertion leaks none.
const redisServers: LocalRedis[] = [];
async function startLocalRedis(opts: { dataDir?: string } = {}): Promise<LocalRedis> {
  const r = await startRedisServer(opts);
  redisServers.push(r);
  return r;
}

afterAll(async () => {
  for (const r of redisServers) await r.destroy();
  await s3?.stop();
});

function flipOneByte(path: string, offset: number): void {
  const b = readFileSync(path);
  b[offset] = (b[offset] as number) ^ 0xff;
  writeFileSync(path, b);
}

const redisSpec = {
  type: 'redis',
  pluginVersion: 'v1',
  middlewareVersion: '7.0',
  storage: { size: '1Gi' },
  backup: { storage: 's3-main', schedule: '0 3 * * *' },
};

describe('redis tool', () => {
  it('backs up a real server to S3, restores into a fresh server, and the data is identical', async () => {
    const source = await startLocalRedis();
    const client = source.client();
    const expected: Record<string, string> = {};
    for (let i = 0; i < 500; i++) expected[`key:${i}`] = `value-${i}-${'x'.repeat(i % 50)}`;
    await client.mset(expected);
    await client.rpush('list', 'a', 'b', 'c');
    await client.hset('hash', { f1: 'v1', f2: 'v2' });
    await client.set('binary', Buffer.from([0, 1, 2, 255, 254]));
    await client.set('ttl-key', 'soon gone', 'EX', 3600);

    const s3c = createS3Client(storage);
    const out = await runBackup({
      client: s3c,
      storage,
      namespace: 'team-a',
      instance: 'cache',
      backup: 'cache-manual-1',
      pluginVersion: 'v1',
      middlewareVersion: '7.0',
      instanceSpec: redisSpec,
      driver: redisDriver,
      source: { host: '127.0.0.1', port: source.port, password: source.password },
    });
    await source.destroy();
    expect(out.metadataKey).toBe('prod/team-a/cache/cache-manual-1/metadata.json');
    expect(out.dataKey).toBe('prod/team-a/cache/cache-manual-1/dump.rdb');
    const meta = parseMetadata(await getText(s3c, 'mwop-backups', out.metadataKey), 'test');
    expect(meta).toMatchObject({
      type: 'redis',
      format: 'redis-rdb',
      instance: 'cache',
      size: out.metadata.size,
    });
    expect(meta.instanceSpec).toEqual(redisSpec);
    expect(readFileSync(s3.objectPath('mwop-backups', out.dataKey)).subarray(0, 5).toString()).toBe('REDIS');

    // Restore: offline, into the data directory of a server that is not running yet.
    const dataDir = mkdtempSync(join(tmpdir(), 'mwop-redis-restore-'));
    await runRestore({
      client: s3c,
      storage,
      metadataKey: out.metadataKey,
      driver: redisDriver,
      target: { dataDir },
    });
    const restored = await startLocalRedis({ dataDir });
    try {
      const rc = restored.client();
      expect(await rc.dbsize()).toBe(500 + 4);
      expect(await rc.mget(Object.keys(expected))).toEqual(Object.values(expected));
      expect(await rc.lrange('list', 0, -1)).toEqual(['a', 'b', 'c']);
      expect(await rc.hgetall('hash')).toEqual({ f1: 'v1', f2: 'v2' });
      expect(await rc.getBuffer('binary')).toEqual(Buffer.from([0, 1, 2, 255, 254]));
      expect(await rc.ttl('ttl-key')).toBeGreaterThan(0);
    } finally {
      await restored.destroy();
    }
  });

  it('refuses a backup with one corrupted byte and leaves the target data directory untouched', async () => {
    const source = await startLocalRedis();
    await source.client().mset({ a: '1', b: '2' });
    const s3c = createS3Client(storage);
    const out = await runBackup({
      client: s3c,
      storage,
      namespace: 'team-a',
      instance: 'cache',
      backup: 'cache-corrupt',
      pluginVersion: 'v1',
      middlewareVersion: '7.0',
      instanceSpec: redisSpec,
      driver: redisDriver,
      source: { host: '127.0.0.1', port: source.port, password: source.password },
    });
    await source.destroy();
    flipOneByte(s3.objectPath('mwop-backups', out.dataKey), Math.floor(out.metadata.size / 2));

    // The target already has data of its own: it must survive the refused restore.
    const target = await startLocalRedis();
    await target.client().set('existing', 'keep me');
    await target.client().save();
    await target.stop();
    const before = readFileSync(join(target.dataDir, 'dump.rdb'));

    const err = await runRestore({
      client: s3c,
      storage,
      metadataKey: out.metadataKey,
      driver: redisDriver,
      target: { dataDir: target.dataDir },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect((err as Error).message).toContain(out.metadata.sha256);
    expect(readFileSync(join(target.dataDir, 'dump.rdb')).equals(before)).toBe(true);
    expect(existsSync(join(target.dataDir, '.dump.rdb.restoring'))).toBe(false);

    const again = await startLocalRedis({ dataDir: target.dataDir });
    try {
      const c = again.client();
      expect(await c.get('existing')).toBe('keep me');
      expect(await c.get('a')).toBeNull();
    } finally {
      await again.destroy();
    }
  });

  it('refuses to restore while the target server is running, and restores once it is stopped', async () => {
    const source = await startLocalRedis();
    await source.client().set('restored', 'yes');
    const s3c = createS3Client(storage);
    const out = await runBackup({
      client: s3c,
      storage,
      namespace: 'team-a',
      instance: 'cache',
      backup: 'cache-running-target',
      pluginVersion: 'v1',
      middlewareVersion: '7.0',
      instanceSpec: redisSpec,
      driver: redisDriver,
      source: { host: '127.0.0.1', port: source.port, password: source.password },
    });
    await source.destroy();

    const target = await startLocalRedis();
    await target.client().set('live', 'data');
    const before = readdirSync(target.dataDir).sort();
    const restore = () =>
      runRestore({
        client: s3c,
        storage,
        metadataKey: out.metadataKey,
        driver: redisDriver,
        target: { dataDir: target.dataDir, mustNotServe: { host: '127.0.0.1', port: target.port } },
      });
    await expect(restore()).rejects.toThrow(
      new RegExp(
        `refusing to restore into .*: a server accepts connections at 127\\.0\\.0\\.1:${target.port}; stop Redis first`,
      ),
    );
    expect(readdirSync(target.dataDir).sort()).toEqual(before);

    await target.stop();
    await restore();
    const again = await startLocalRedis({ dataDir: target.dataDir });
    try {
      expect(await again.client().get('restored')).toBe('yes');
    } finally {
      await again.destroy();
    }
  });

  it('fails the backup, storing nothing, when redis-cli cannot reach the server', async () => {
    const s3c = createS3Client(storage);
    const { freePort } = await import('../../support/s3-server.ts');
    const port = await freePort();
    await expect(
      runBackup({
        client: s3c,
        storage,
        namespace: 'team-a',
        instance: 'gone',
        backup: 'gone-1',
        pluginVersion: 'v1',
        middlewareVersion: '7.0',
        instanceSpec: redisSpec,
        driver: redisDriver,
        source: { host: '127.0.0.1', port },
      }),
    ).rejects.toThrow(/redis-cli .* exited with status/);
    expect(existsSync(s3.objectPath('mwop-backups', 'prod/team-a/gone/gone-1/dump.rdb'))).toBe(false);
    expect(existsSync(s3.objectPath('mwop-backups', 'prod/team-a/gone/gone-1/metadata.json'))).toBe(false);
  });

  it('refuses to restore a backup of another type into redis', async () => {
    const s3c = createS3Client(storage);
    // A MySQL backup's metadata, written by the mysql test below or by hand here.
    const key = 'prod/team-b/db/db-other-type/metadata.json';
    const { putText } = await import('../../../src/backup/s3/transfer.ts');
    await putText(
      s3c,
      'mwop-backups',
      key,
      JSON.stringify({
        formatVersion: 1,
        name: 'db-other-type',
        namespace: 'team-b',
        instance: 'db',
        type: 'mysql',
        pluginVersion: 'v1',
        middlewareVersion: '10.11',
        format: 'mysql-sql',
        dataFile: 'dump.sql',
        size: 0,
        sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        startTime: '2026-01-01T00:00:00Z',
        completionTime: '2026-01-01T00:00:01Z',
        instanceSpec: { type: 'mysql' },
      }),
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'mwop-redis-wrongtype-'));
    try {
      await expect(
        runRestore({ client: s3c, storage, metadataKey: key, driver: redisDriver, target: { dataDir } }),
      ).rejects.toThrow(
        /^spec\.restoreFrom: backup team-b\/db-other-type is of type mysql \(mysql-sql\); got "team-b\/db-other-type", accepted a backup of type redis/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('mysql tool (MariaDB)', () => {
  let source: LocalMariadb;
  let target: LocalMariadb;

  beforeAll(async () => {
    // One after the other, so a failed start never leaves the other server running unowned.
    source = await startLocalMariadb();
    target = await startLocalMariadb();
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const mysqlSpec = { type: 'mysql', pluginVersion: 'v1', storage: { size: '5Gi' } };

  async function seed(db: LocalMariadb): Promise<void> {
    const c = await db.connect();
    await c.query(`
      CREATE DATABASE shop;
      CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(64) CHARACTER SET utf8mb4, price DECIMAL(10,2), blob_col VARBINARY(16));
      CREATE TABLE shop.audit (id INT AUTO_INCREMENT PRIMARY KEY, item_id INT, note VARCHAR(64));
      CREATE TRIGGER shop.items_ai AFTER INSERT ON shop.items FOR EACH ROW INSERT INTO shop.audit (item_id, note) VALUES (NEW.id, 'inserted');
      CREATE FUNCTION shop.with_tax(p DECIMAL(10,2)) RETURNS DECIMAL(10,2) DETERMINISTIC RETURN p * 1.2;
    `);
    for (let i = 1; i <= 300; i++) {
      await c.query('INSERT INTO shop.items VALUES (?, ?, ?, ?)', [
        i,
        `item ${i} — ünïcode ✓`,
        i * 1.5,
        Buffer.from([i % 256, 0, 255]),
      ]);
    }
    await c.end();
  }

  async function snapshot(db: LocalMariadb) {
    const c = await db.connect('shop');
    const [items] = await c.query('SELECT * FROM items ORDER BY id');
    const [audit] = await c.query('SELECT * FROM audit ORDER BY id');
    const [[fn]] = (await c.query('SELECT with_tax(10.00) AS v')) as unknown as [[{ v: string }]];
    const [triggers] = await c.query(
      "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'shop'",
    );
    await c.end();
    return { items, audit, fn, triggers };
  }

  it('backs up with mariadb-dump, restores into a fresh server, and rows, routines and triggers match', async () => {
    await seed(source);
    const s3c = createS3Client(storage);
    const out = await runBackup({
      client: s3c,
      storage,
      namespace: 'team-b',
      instance: 'orders-db',
      backup: 'orders-db-1',
      pluginVersion: 'v1',
      middlewareVersion: '10.11',
      instanceSpec: mysqlSpec,
      driver: mysqlDriver,
      source: { host: '127.0.0.1', port: source.port, user: source.user, password: source.password },
    });
    expect(out.dataKey).toBe('prod/team-b/orders-db/orders-db-1/dump.sql');
    const dump = readFileSync(s3.objectPath('mwop-backups', out.dataKey), 'utf8');
    expect(dump).toContain('CREATE TABLE `items`');

    await runRestore({
      client: s3c,
      storage,
      metadataKey: out.metadataKey,
      driver: mysqlDriver,
      target: { host: '127.0.0.1', port: target.port, user: target.user, password: target.password },
    });
    const want = await snapshot(source);
    const got = await snapshot(target);
    expect((got.items as unknown[]).length).toBe(300);
    expect(got).toEqual(want);
  });

  it('fails the backup with the dump error, storing nothing, when the password is wrong', async () => {
    const s3c = createS3Client(storage);
    await expect(
      runBackup({
        client: s3c,
        storage,
        namespace: 'team-b',
        instance: 'orders-db',
        backup: 'orders-db-badpw',
        pluginVersion: 'v1',
        middlewareVersion: '10.11',
        instanceSpec: mysqlSpec,
        driver: mysqlDriver,
        source: { host: '127.0.0.1', port: source.port, user: source.user, password: 'wrong' },
      }),
    ).rejects.toThrow(/mariadb-dump .* exited with status 2: .*Access denied for user 'mwop_backup'/);
    expect(existsSync(s3.objectPath('mwop-backups', 'prod/team-b/orders-db/orders-db-badpw/dump.sql'))).toBe(
      false,
    );
    expect(
      existsSync(s3.objectPath('mwop-backups', 'prod/team-b/orders-db/orders-db-badpw/metadata.json')),
    ).toBe(false);
  });

  it('refuses a dump with one corrupted byte and leaves the target database untouched', async () => {
    const s3c = createS3Client(storage);
    const fresh = await startLocalMariadb();
    try {
      const c = await fresh.connect();
      await c.query(
        'CREATE DATABASE keepme; CREATE TABLE keepme.t (v INT); INSERT INTO keepme.t VALUES (42);',
      );
      await c.end();

      const key = 'prod/team-b/orders-db/orders-db-1';
      flipOneByte(s3.objectPath('mwop-backups', `${key}/dump.sql`), 100);
      const err = await runRestore({
        client: s3c,
        storage,
        metadataKey: `${key}/metadata.json`,
        driver: mysqlDriver,
        target: { host: '127.0.0.1', port: fresh.port, user: fresh.user, password: fresh.password },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChecksumMismatchError);

      const c2 = await fresh.connect();
      const [dbs] = (await c2.query('SHOW DATABASES')) as unknown as [{ Database: string }[]];
      const [[row]] = (await c2.query('SELECT v FROM keepme.t')) as unknown as [[{ v: number }]];
      await c2.end();
      expect(dbs.map((d) => d.Database)).not.toContain('shop');
      expect(row.v).toBe(42);
    } finally {
      await fresh.stop();
    }
  });
});
