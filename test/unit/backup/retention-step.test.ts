// The pure parts of the retention-cleanup step: its S3 settings from the environment the template
// sets, and which storages the operator runs a step for.
import { describe, expect, it } from 'vitest';
import type { MiddlewareBackup } from '../../../src/api/index.ts';
import { s3ConfigFromEnv } from '../../../src/backup/s3/env-config.ts';
import { pruneS3FromEnv } from '../../../src/cli/commands/backup.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { retentionStorageNames } from '../../../src/controllers/backup/retention-targets.ts';

const ENV = {
  MWOP_S3_ENDPOINT: 'http://s3.backup.svc:9000',
  MWOP_S3_BUCKET: 'mwop-backups',
  MWOP_S3_REGION: 'eu-west-1',
  MWOP_S3_PREFIX: '/clusters/prod/',
  MWOP_S3_FORCE_PATH_STYLE: 'true',
  AWS_ACCESS_KEY_ID: 'AKIA',
  AWS_SECRET_ACCESS_KEY: 's3cr3t',
};

describe('s3ConfigFromEnv', () => {
  it('reads what the template sets, normalising the prefix', () => {
    expect(s3ConfigFromEnv(ENV)).toEqual({
      endpoint: 'http://s3.backup.svc:9000',
      bucket: 'mwop-backups',
      region: 'eu-west-1',
      prefix: 'clusters/prod',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 's3cr3t' },
    });
  });

  it('is undefined without MWOP_S3_ENDPOINT; defaults region, prefix and path style', () => {
    expect(s3ConfigFromEnv({})).toBeUndefined();
    expect(s3ConfigFromEnv({ ...ENV, MWOP_S3_ENDPOINT: '' })).toBeUndefined();
    const cfg = s3ConfigFromEnv({
      MWOP_S3_ENDPOINT: ENV.MWOP_S3_ENDPOINT,
      MWOP_S3_BUCKET: 'b',
      MWOP_S3_REGION: '',
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
    });
    expect(cfg).toMatchObject({ region: 'us-east-1', prefix: '', forcePathStyle: false });
  });

  it('names the variable, the value and what is accepted', () => {
    expect(() => s3ConfigFromEnv({ ...ENV, MWOP_S3_ENDPOINT: 's3.example.com' })).toThrow(
      'env MWOP_S3_ENDPOINT: got "s3.example.com", accepted an http:// or https:// URL',
    );
    expect(() => s3ConfigFromEnv({ ...ENV, MWOP_S3_BUCKET: '' })).toThrow(
      'env MWOP_S3_BUCKET: got "", accepted the bucket name',
    );
    expect(() => s3ConfigFromEnv({ ...ENV, MWOP_S3_FORCE_PATH_STYLE: 'yes' })).toThrow(
      'env MWOP_S3_FORCE_PATH_STYLE: got "yes", accepted "true" or "false"',
    );
    expect(() => s3ConfigFromEnv({ ...ENV, AWS_SECRET_ACCESS_KEY: undefined })).toThrow(
      /^env AWS_SECRET_ACCESS_KEY: got nothing, accepted the S3 secret access key/,
    );
  });

  it('prune wants --storage with environment settings, and reports bad ones as CLI errors', () => {
    expect(pruneS3FromEnv(ENV, 'main')?.bucket).toBe('mwop-backups');
    expect(pruneS3FromEnv({}, undefined)).toBeUndefined();
    expect(() => pruneS3FromEnv(ENV, undefined)).toThrow(
      '--storage: not set, but MWOP_S3_ENDPOINT (http://s3.backup.svc:9000) describes one BackupStorage',
    );
    expect(() => pruneS3FromEnv({ ...ENV, AWS_ACCESS_KEY_ID: '' }, 'main')).toThrow(CliError);
  });
});

const backup = (name: string, status: MiddlewareBackup['status'], storage?: string): MiddlewareBackup => ({
  apiVersion: 'mwop.dev/v1alpha1',
  kind: 'MiddlewareBackup',
  metadata: { name, namespace: 'team-a' },
  spec: { instanceRef: { name: 'cache' }, ...(storage ? { storage } : {}) },
  ...(status ? { status } : {}),
});

describe('retentionStorageNames', () => {
  it('one name per storage that holds a victim’s objects, sorted', () => {
    const victims = [
      backup('a', {
        phase: 'Succeeded',
        storage: 'offsite',
        path: 'x/dump.rdb',
        metadataPath: 'x/metadata.json',
      }),
      backup('b', {
        phase: 'Succeeded',
        storage: 'main',
        path: 'y/dump.rdb',
        metadataPath: 'y/metadata.json',
      }),
      backup('c', { phase: 'Succeeded', storage: 'main', path: 'z/dump.rdb' }),
      backup('d', { phase: 'Failed', storage: 'elsewhere' }),
    ];
    expect(retentionStorageNames(victims, 'main')).toEqual(['main', 'offsite']);
  });

  it("victims without objects (failed backups) need one step: the instance's storage", () => {
    expect(retentionStorageNames([backup('f', { phase: 'Failed' }, 'gone')], 'main')).toEqual(['main']);
    expect(retentionStorageNames([], 'main')).toEqual(['main']);
  });

  it('falls back to spec.storage when status has none', () => {
    expect(
      retentionStorageNames([backup('s', { phase: 'Succeeded', path: 'k' }, 'spec-one')], 'main'),
    ).toEqual(['spec-one']);
  });
});
