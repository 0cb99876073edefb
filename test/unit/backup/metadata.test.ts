import { describe, expect, it } from 'vitest';
import { validateAgainstSchema } from '../../../src/api/index.ts';
import { MiddlewareBackupKind, MiddlewareInstanceKind } from '../../../src/api/kinds.ts';
import { missingBackups } from '../../../src/backup/catalog.ts';
import { parseDuration } from '../../../src/backup/errors.ts';
import {
  type BackupMetadata,
  backupFromMetadata,
  checkRestoreCompatibility,
  dataKeyFor,
  instanceFromMetadata,
  metadataKey,
  parseMetadata,
  serializeMetadata,
} from '../../../src/backup/metadata.ts';
import { objectKey } from '../../../src/backup/s3/client.ts';

const spec = {
  type: 'redis',
  pluginVersion: 'v1',
  middlewareVersion: '7.2',
  replicas: 3,
  storage: { size: '1Gi' },
  backup: { storage: 's3-main', schedule: '0 3 * * *', retention: { maxCount: 7 } },
  restoreFrom: { backup: 'older-backup' },
};

const meta: BackupMetadata = {
  formatVersion: 1,
  name: 'cache-29401234',
  namespace: 'team-a',
  instance: 'cache',
  type: 'redis',
  pluginVersion: 'v1',
  middlewareVersion: '7.2',
  format: 'redis-rdb',
  dataFile: 'dump.rdb',
  size: 1234,
  sha256: 'a'.repeat(64),
  startTime: '2026-01-01T03:00:00.000Z',
  completionTime: '2026-01-01T03:00:05.000Z',
  instanceSpec: spec,
};
const where = {
  storage: 's3-main',
  bucket: 'mwop-backups',
  metadataKey: 'prod/team-a/cache/cache-29401234/metadata.json',
};

describe('keys', () => {
  it('lays backups out as <prefix>/<namespace>/<instance>/<backup>/', () => {
    expect(metadataKey('prod', 'team-a', 'cache', 'b1')).toBe('prod/team-a/cache/b1/metadata.json');
    expect(metadataKey('', 'team-a', 'cache', 'b1')).toBe('team-a/cache/b1/metadata.json');
    expect(metadataKey('/a/b/', 'n', 'i', 'b')).toBe('a/b/n/i/b/metadata.json');
    expect(dataKeyFor('prod/team-a/cache/b1/metadata.json', { dataFile: 'dump.rdb' })).toBe(
      'prod/team-a/cache/b1/dump.rdb',
    );
    expect(objectKey(undefined, 'x/', '/y')).toBe('x/y');
  });
});

describe('parseMetadata', () => {
  it('round-trips through serializeMetadata', () => {
    expect(parseMetadata(serializeMetadata(meta), 'm')).toEqual(meta);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['formatVersion', { formatVersion: 2 }, /src: \.formatVersion: got 2, accepted 1/],
    ['sha256', { sha256: 'ABC' }, /src: \.sha256: got "ABC", accepted 64 lower-case hex digits/],
    ['size', { size: -1 }, /src: \.size: got -1, accepted an integer >= 0 \(bytes\)/],
    ['name', { name: 'Not_A_Name' }, /src: \.name: got "Not_A_Name", accepted a lower-case DNS name/],
    ['dataFile with a slash', { dataFile: '../x' }, /src: \.dataFile: got "\.\.\/x"/],
    ['dataFile = metadata.json', { dataFile: 'metadata.json' }, /any file name other than metadata\.json/],
    ['time', { startTime: 'yesterday' }, /src: \.startTime: got "yesterday", accepted an RFC 3339 time/],
    [
      'completion before start',
      { completionTime: '2025-01-01T00:00:00Z' },
      /\.completionTime: .*accepted a time at or after startTime/,
    ],
    ['missing type', { type: undefined }, /src: \.type: got nothing/],
    [
      'spec of another type',
      { instanceSpec: { type: 'mysql' } },
      /\.instanceSpec\.type: got "mysql", accepted the backup's type redis/,
    ],
    [
      'spec not an object',
      { instanceSpec: [] },
      /\.instanceSpec: got \[\], accepted the instance spec as an object/,
    ],
  ];
  for (const [name, patch, err] of bad) {
    it(`rejects a bad ${name} naming the field, value and accepted form`, () => {
      expect(() => parseMetadata({ ...meta, ...patch }, 'src')).toThrow(err);
    });
  }

  it('rejects text that is not JSON, and JSON that is not an object', () => {
    expect(() => parseMetadata('{nope', 's3://b/k')).toThrow(/^s3:\/\/b\/k: not JSON/);
    expect(() => parseMetadata('[1]', 's3://b/k')).toThrow(/accepted a JSON object/);
  });
});

describe('backupFromMetadata', () => {
  it('rebuilds a MiddlewareBackup that the CRD schema accepts', () => {
    const cr = backupFromMetadata(meta, where);
    expect(cr).toMatchObject({
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareBackup',
      metadata: {
        name: 'cache-29401234',
        namespace: 'team-a',
        labels: { 'mwop.dev/instance': 'cache', 'mwop.dev/type': 'redis' },
      },
      spec: { instanceRef: { name: 'cache' }, storage: 's3-main' },
      status: {
        phase: 'Succeeded',
        bucket: 'mwop-backups',
        path: 'prod/team-a/cache/cache-29401234/dump.rdb',
        metadataPath: where.metadataKey,
        size: 1234,
        sha256: 'a'.repeat(64),
        startTime: meta.startTime,
        completionTime: meta.completionTime,
      },
    });
    expect(validateAgainstSchema(MiddlewareBackupKind, cr)).toEqual([]);
  });
});

describe('instanceFromMetadata', () => {
  it('creates a new instance with the backed-up spec and restoreFrom pointing at S3', () => {
    const mi = instanceFromMetadata(meta, where, { name: 'cache-copy', namespace: 'team-z' });
    expect(mi.metadata).toEqual({ name: 'cache-copy', namespace: 'team-z' });
    expect(mi.spec).toEqual({
      type: 'redis',
      pluginVersion: 'v1',
      middlewareVersion: '7.2',
      replicas: 3,
      storage: { size: '1Gi' },
      backup: { storage: 's3-main', schedule: '0 3 * * *', retention: { maxCount: 7 } },
      restoreFrom: { s3: { storage: 's3-main', path: where.metadataKey } },
    });
    expect(validateAgainstSchema(MiddlewareInstanceKind, mi)).toEqual([]);
  });
});

describe('checkRestoreCompatibility', () => {
  it('accepts a backup of the instance type', () => {
    expect(() => checkRestoreCompatibility(meta, { type: 'redis' })).not.toThrow();
  });
  it('refuses a backup of another type, naming the field, the backup and the accepted type', () => {
    expect(() => checkRestoreCompatibility(meta, { type: 'mysql' })).toThrow(
      'spec.restoreFrom: backup team-a/cache-29401234 is of type redis (redis-rdb); got "team-a/cache-29401234", accepted a backup of type mysql',
    );
    expect(() => checkRestoreCompatibility(meta, { type: 'mysql' }, 'spec.source')).toThrow(/^spec\.source:/);
  });
});

describe('missingBackups', () => {
  it('returns the catalog entries without a CR', () => {
    const entry = (ns: string, name: string) => ({
      metadataKey: `${ns}/${name}`,
      metadata: { ...meta, namespace: ns, name },
      backup: backupFromMetadata({ ...meta, namespace: ns, name }, where),
    });
    const catalog = [entry('a', 'one'), entry('a', 'two'), entry('b', 'one')];
    expect(missingBackups(catalog, [{ namespace: 'a', name: 'one' }]).map((e) => e.metadataKey)).toEqual([
      'a/two',
      'b/one',
    ]);
  });
});

describe('parseDuration', () => {
  it('parses Go durations with days', () => {
    expect(parseDuration('720h', 'f')).toBe(720 * 3_600_000);
    expect(parseDuration('30d', 'f')).toBe(30 * 86_400_000);
    expect(parseDuration('1h30m', 'f')).toBe(5_400_000);
    expect(parseDuration('1.5s', 'f')).toBe(1500);
  });
  it('rejects malformed values naming the field', () => {
    for (const v of ['', '10', 'h', '1y', '1h 2m', '-1h'])
      expect(() => parseDuration(v, 'spec.x'), v).toThrow(/^spec\.x: got/);
  });
});
