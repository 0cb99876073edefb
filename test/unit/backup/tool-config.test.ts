import { describe, expect, it } from 'vitest';
import { parseToolConfig } from '../../../src/backup/tools/config.ts';

const env = {
  MWOP_S3_ENDPOINT: 'http://minio.backup:9000',
  MWOP_S3_BUCKET: 'mwop-backups',
  MWOP_S3_PREFIX: 'prod',
  MWOP_S3_FORCE_PATH_STYLE: 'true',
  AWS_ACCESS_KEY_ID: 'ak',
  AWS_SECRET_ACCESS_KEY: 'sk',
  MWOP_DB_PASSWORD: 'pw',
};
const backupArgs = [
  'backup',
  '--type=mysql',
  '--namespace=team-b',
  '--instance=orders-db',
  '--backup=orders-db-1',
  '--plugin-version=v1',
  '--middleware-version=10.11',
  '--host=orders-db.team-b.svc',
  '--port=3306',
  '--user=root',
];

describe('parseToolConfig', () => {
  it('reads a backup from flags and env', () => {
    const cfg = parseToolConfig([...backupArgs, '--instance-spec={"type":"mysql"}', '--timeout=3600'], env);
    expect(cfg).toEqual({
      command: 'backup',
      type: 'mysql',
      storage: {
        endpoint: 'http://minio.backup:9000',
        bucket: 'mwop-backups',
        region: 'us-east-1',
        prefix: 'prod',
        forcePathStyle: true,
        credentials: { accessKeyId: 'ak', secretAccessKey: 'sk' },
      },
      timeoutSeconds: 3600,
      namespace: 'team-b',
      instance: 'orders-db',
      backup: 'orders-db-1',
      pluginVersion: 'v1',
      middlewareVersion: '10.11',
      instanceSpec: { type: 'mysql' },
      source: { host: 'orders-db.team-b.svc', port: 3306, user: 'root', password: 'pw' },
    });
  });

  it('takes MySQL client programs from flags or env', () => {
    const cfg = parseToolConfig(
      [
        'restore',
        '--type=mysql',
        '--metadata-key=k',
        '--host=h',
        '--port=3306',
        '--user=u',
        '--client-bin=mysql',
      ],
      {
        ...env,
        MWOP_MYSQL_DUMP_BIN: 'mysqldump',
      },
    );
    expect(cfg).toMatchObject({ mysqlClientBin: 'mysql', mysqlDumpBin: 'mysqldump' });
  });

  it('reads a backup configured only by the environment the workflow template sets', () => {
    const cfg = parseToolConfig(['backup', '--result-file', '/tmp/mwop-result.json'], {
      ...env,
      MWOP_S3_PREFIX: '',
      MWOP_BACKUP_TYPE: 'redis',
      MWOP_NAMESPACE: 'team-a',
      MWOP_INSTANCE: 'cache',
      MWOP_BACKUP: 'cache-29401234',
      MWOP_PLUGIN_VERSION: 'v1',
      MWOP_MIDDLEWARE_VERSION: '7.2',
      MWOP_INSTANCE_SPEC: '{"type":"redis"}',
      MWOP_TIMEOUT_SECONDS: '3600',
      MWOP_DB_HOST: 'cache-0.cache-headless.team-a.svc',
      MWOP_DB_PORT: '6379',
      MWOP_DB_USER: '',
    });
    expect(cfg).toMatchObject({
      command: 'backup',
      type: 'redis',
      resultFile: '/tmp/mwop-result.json',
      timeoutSeconds: 3600,
      storage: { prefix: '' },
      source: { host: 'cache-0.cache-headless.team-a.svc', port: 6379, password: 'pw' },
    });
    expect(cfg.command === 'backup' && cfg.source.user).toBeFalsy();
  });

  it('reads a redis restore', () => {
    const cfg = parseToolConfig(
      ['restore', '--type=redis', '--metadata-key=prod/a/b/c/metadata.json', '--data-dir=/data'],
      env,
    );
    expect(cfg).toMatchObject({
      command: 'restore',
      type: 'redis',
      dataDir: '/data',
      rdbFileName: 'dump.rdb',
      timeoutSeconds: 0,
    });
  });

  const bad: [string, string[], Record<string, string | undefined>, RegExp][] = [
    ['command', ['dump'], env, /^command: got "dump", accepted "backup" or "restore"/],
    ['type', ['backup', '--type=kafka'], env, /^--type: got "kafka", accepted redis or mysql/],
    [
      'endpoint',
      backupArgs,
      { ...env, MWOP_S3_ENDPOINT: 'minio:9000' },
      /^--s3-endpoint: got "minio:9000", accepted an http/,
    ],
    [
      'bucket',
      backupArgs,
      { ...env, MWOP_S3_BUCKET: undefined },
      /^--s3-bucket \(or MWOP_S3_BUCKET\): got nothing/,
    ],
    [
      'credentials',
      backupArgs,
      { ...env, AWS_SECRET_ACCESS_KEY: undefined },
      /^env AWS_SECRET_ACCESS_KEY: got nothing/,
    ],
    [
      'port',
      [...backupArgs.slice(0, -2), '--port=99999', '--user=root'],
      env,
      /^--port: got "99999", accepted an integer from 1 to 65535/,
    ],
    ['timeout', [...backupArgs, '--timeout=-1'], env, /^--timeout: got "-1"/],
    [
      'instance spec',
      [...backupArgs, '--instance-spec=[1]'],
      env,
      /^--instance-spec: got \[1\], accepted the instance spec as a JSON object/,
    ],
    [
      'path style',
      backupArgs,
      { ...env, MWOP_S3_FORCE_PATH_STYLE: 'yes' },
      /MWOP_S3_FORCE_PATH_STYLE: got "yes", accepted "true" or "false"/,
    ],
    ['unknown flag', [...backupArgs, '--nope'], env, /^arguments: Unknown option '--nope'/],
    [
      'mysql user',
      backupArgs.slice(0, -1),
      env,
      /^--user \(or MWOP_DB_USER\): got nothing, accepted a MySQL user/,
    ],
  ];
  for (const [name, args, e, err] of bad) {
    it(`rejects a bad ${name}`, () => {
      expect(() => parseToolConfig(args, e)).toThrow(err);
    });
  }
});
