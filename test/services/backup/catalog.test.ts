// The catalog read from S3 alone, against the real S3 server: more than one page of keys,
// other objects ignored, broken metadata reported without hiding the good entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMetadataKeys, missingBackups, readCatalog, readMetadata } from '../../../src/backup/catalog.ts';
import { type BackupMetadata, metadataKey, serializeMetadata } from '../../../src/backup/metadata.ts';
import { createS3Client, type S3StorageConfig } from '../../../src/backup/s3/client.ts';
import { putText } from '../../../src/backup/s3/transfer.ts';
import { type S3Server, startS3Server } from '../../support/s3-server.ts';

let s3: S3Server;
let cfg: S3StorageConfig;

function meta(namespace: string, instance: string, name: string, type = 'redis'): BackupMetadata {
  return {
    formatVersion: 1,
    name,
    namespace,
    instance,
    type,
    pluginVersion: 'v1',
    middlewareVersion: '7.2',
    format: type === 'redis' ? 'redis-rdb' : 'mysql-sql',
    dataFile: type === 'redis' ? 'dump.rdb' : 'dump.sql',
    size: 10,
    sha256: '0'.repeat(64),
    startTime: '2026-01-01T03:00:00Z',
    completionTime: '2026-01-01T03:00:01Z',
    instanceSpec: { type, pluginVersion: 'v1', storage: { size: '1Gi' } },
  };
}

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket('catalog');
  cfg = {
    endpoint: s3.endpoint,
    bucket: 'catalog',
    region: s3.region,
    prefix: 'prod',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
  const client = createS3Client(cfg);
  const puts: Promise<void>[] = [];
  // 1,100 backups: more than one ListObjectsV2 page (1,000 keys), plus their data objects.
  for (let i = 0; i < 550; i++) {
    for (const [ns, inst, type] of [
      ['team-a', 'cache', 'redis'],
      ['team-b', 'orders-db', 'mysql'],
    ] as const) {
      const m = meta(ns, inst, `${inst}-${String(i).padStart(4, '0')}`, type);
      const key = metadataKey('prod', ns, inst, m.name);
      puts.push(putText(client, 'catalog', key, serializeMetadata(m)));
      puts.push(
        putText(
          client,
          'catalog',
          key.replace('metadata.json', m.dataFile),
          'x'.repeat(10),
          'application/octet-stream',
        ),
      );
    }
    if (puts.length >= 64) await Promise.all(puts.splice(0));
  }
  await Promise.all(puts);
  // Things the catalog must ignore or report.
  await putText(client, 'catalog', 'prod/team-a/cache/orphan/dump.rdb', 'data without metadata');
  await putText(client, 'catalog', 'prod/team-a/stray-metadata.json', '{}');
  await putText(
    client,
    'catalog',
    'other-prefix/team-a/cache/x/metadata.json',
    serializeMetadata(meta('team-a', 'cache', 'x')),
  );
  await putText(
    client,
    'catalog',
    'prod/team-c/broken/broken-1/metadata.json',
    '{"formatVersion":1,"name":"broken-1"',
  );
  await putText(
    client,
    'catalog',
    'prod/team-c/moved/elsewhere/metadata.json',
    serializeMetadata(meta('team-c', 'moved', 'original')),
  );
}, 180_000);

afterAll(async () => {
  await s3?.stop();
});

describe('readCatalog', () => {
  it('finds every backup under the prefix across pages, and reports broken metadata', async () => {
    const client = createS3Client(cfg);
    const cat = await readCatalog(client, cfg, 's3-main');
    expect(cat.entries).toHaveLength(1100);
    expect(cat.entries[0]?.backup.metadata).toMatchObject({ namespace: 'team-a', name: 'cache-0000' });
    expect(cat.entries[0]?.backup.status).toMatchObject({
      phase: 'Succeeded',
      path: 'prod/team-a/cache/cache-0000/dump.rdb',
      metadataPath: 'prod/team-a/cache/cache-0000/metadata.json',
    });
    expect(cat.entries.at(-1)?.metadata).toMatchObject({
      namespace: 'team-b',
      name: 'orders-db-0549',
      type: 'mysql',
    });
    expect(cat.problems.map((p) => p.metadataKey)).toEqual([
      'prod/team-c/broken/broken-1/metadata.json',
      'prod/team-c/moved/elsewhere/metadata.json',
    ]);
    expect(cat.problems[0]?.message).toMatch(
      /^s3:\/\/catalog\/prod\/team-c\/broken\/broken-1\/metadata\.json: not JSON/,
    );
    expect(cat.problems[1]?.message).toMatch(
      /names namespace\/instance\/backup team-c\/moved\/original but lies under team-c\/moved\/elsewhere/,
    );
  });

  it('filters by namespace and instance', async () => {
    const client = createS3Client(cfg);
    expect(await listMetadataKeys(client, cfg, { namespace: 'team-b' })).toHaveLength(550);
    const one = await readCatalog(client, cfg, 's3-main', { namespace: 'team-a', instance: 'cache' });
    expect(one.entries).toHaveLength(550);
    expect(one.problems).toEqual([]);
  });

  it('reads one backup by its metadata key (restoreFrom.s3.path), naming the object in errors', async () => {
    const client = createS3Client(cfg);
    const m = await readMetadata(client, 'catalog', 'prod/team-b/orders-db/orders-db-0007/metadata.json');
    expect(m).toMatchObject({
      namespace: 'team-b',
      instance: 'orders-db',
      name: 'orders-db-0007',
      type: 'mysql',
    });
    await expect(
      readMetadata(client, 'catalog', 'prod/team-c/broken/broken-1/metadata.json'),
    ).rejects.toThrow(/^s3:\/\/catalog\/prod\/team-c\/broken\/broken-1\/metadata\.json: not JSON/);
  });

  it('tells a sync which CRs are missing', async () => {
    const client = createS3Client(cfg);
    const cat = await readCatalog(client, cfg, 's3-main', { namespace: 'team-a' });
    const existing = cat.entries
      .slice(0, 548)
      .map((e) => ({ namespace: e.metadata.namespace, name: e.metadata.name }));
    expect(missingBackups(cat.entries, existing).map((e) => e.metadata.name)).toEqual([
      'cache-0548',
      'cache-0549',
    ]);
  });
});
