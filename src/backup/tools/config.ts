// The backup tool's configuration, from flags and environment (flags win). Pure, so every bad
// input has a unit test; the workflow step sets the environment from the BackupStorage, its
// credentials Secret and the instance's Secret.
import { parseArgs } from 'node:util';
import type { MiddlewareInstanceSpec } from '../../api/index.ts';
import { FieldValueError } from '../errors.ts';
import type { S3StorageConfig } from '../s3/client.ts';

export const TOOL_TYPES = ['redis', 'mysql'] as const;
export type ToolType = (typeof TOOL_TYPES)[number];

export interface CommonConfig {
  type: ToolType;
  storage: S3StorageConfig;
  /** Whole-run timeout in seconds (0 = none). */
  timeoutSeconds: number;
  /** Where to write the JSON result (an Argo output parameter file), besides stdout. */
  resultFile?: string;
  /** mysql: client programs, for MySQL images (mysqldump, mysql); defaults are MariaDB's. */
  mysqlDumpBin?: string;
  mysqlClientBin?: string;
}

export interface Endpoint {
  host: string;
  port: number;
  user?: string;
  password?: string;
}

export type ToolConfig =
  | (CommonConfig & {
      command: 'backup';
      namespace: string;
      instance: string;
      backup: string;
      pluginVersion: string;
      middlewareVersion: string;
      instanceSpec: MiddlewareInstanceSpec;
      source: Endpoint;
    })
  | (CommonConfig & {
      command: 'restore';
      metadataKey: string;
      /** mysql: the server to load into. redis: the address that must not be serving. */
      target?: Endpoint;
      /** redis: the stopped server's data directory. */
      dataDir?: string;
      rdbFileName?: string;
    });

export const USAGE = `usage:
  main.ts backup  --type redis|mysql --namespace NS --instance NAME --backup NAME
                  --plugin-version V --middleware-version V [--instance-spec JSON]
                  --host H --port P [--user U]          (password: MWOP_DB_PASSWORD)
  main.ts restore --type redis|mysql --metadata-key KEY
                  redis: --data-dir DIR [--rdb-filename dump.rdb] [--host H --port P: must not be serving]
                  mysql: --host H --port P --user U     (password: MWOP_DB_PASSWORD)
  S3 (flag or env): --s3-endpoint MWOP_S3_ENDPOINT, --s3-bucket MWOP_S3_BUCKET, --s3-region MWOP_S3_REGION,
                    --s3-prefix MWOP_S3_PREFIX, --s3-force-path-style MWOP_S3_FORCE_PATH_STYLE=true,
                    credentials AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
  --timeout SECONDS (MWOP_TIMEOUT_SECONDS), --result-file PATH
  mysql images: --dump-bin mysqldump (MWOP_MYSQL_DUMP_BIN), --client-bin mysql (MWOP_MYSQL_CLIENT_BIN)`;

const OPTIONS = {
  type: { type: 'string' },
  namespace: { type: 'string' },
  instance: { type: 'string' },
  backup: { type: 'string' },
  'plugin-version': { type: 'string' },
  'middleware-version': { type: 'string' },
  'instance-spec': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  'metadata-key': { type: 'string' },
  'data-dir': { type: 'string' },
  'rdb-filename': { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-bucket': { type: 'string' },
  's3-region': { type: 'string' },
  's3-prefix': { type: 'string' },
  's3-force-path-style': { type: 'boolean' },
  timeout: { type: 'string' },
  'dump-bin': { type: 'string' },
  'client-bin': { type: 'string' },
  'result-file': { type: 'string' },
} as const;

type Env = Record<string, string | undefined>;

export function parseToolConfig(argv: readonly string[], env: Env): ToolConfig {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; args: string[] }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new FieldValueError('arguments', argv.join(' '), USAGE, (err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0];
  if (command !== 'backup' && command !== 'restore') {
    throw new FieldValueError('command', command, '"backup" or "restore"');
  }
  const need = (flag: keyof typeof OPTIONS, envName?: string): string => {
    const value = (v[flag] as string | undefined) ?? (envName ? env[envName] : undefined);
    if (value === undefined || value === '') {
      throw new FieldValueError(`--${flag}${envName ? ` (or ${envName})` : ''}`, value, 'a non-empty value');
    }
    return value;
  };
  const opt = (flag: keyof typeof OPTIONS, envName?: string): string | undefined =>
    (v[flag] as string | undefined) ?? (envName ? env[envName] : undefined) ?? undefined;
  const int = (flag: keyof typeof OPTIONS, raw: string, min: number, max: number): number => {
    const n = Number(raw);
    if (!/^[0-9]+$/.test(raw) || n < min || n > max) {
      throw new FieldValueError(`--${flag}`, raw, `an integer from ${min} to ${max}`);
    }
    return n;
  };

  const type = need('type', 'MWOP_BACKUP_TYPE');
  if (!(TOOL_TYPES as readonly string[]).includes(type)) {
    throw new FieldValueError('--type', type, TOOL_TYPES.join(' or '));
  }
  const endpoint = need('s3-endpoint', 'MWOP_S3_ENDPOINT');
  if (!/^https?:\/\/[^\s/]+(\/.*)?$/.test(endpoint)) {
    throw new FieldValueError('--s3-endpoint', endpoint, 'an http:// or https:// URL');
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId) throw new FieldValueError('env AWS_ACCESS_KEY_ID', accessKeyId, 'the S3 access key id');
  if (!secretAccessKey)
    throw new FieldValueError('env AWS_SECRET_ACCESS_KEY', undefined, 'the S3 secret access key');
  const fps = v['s3-force-path-style'] ?? env.MWOP_S3_FORCE_PATH_STYLE;
  if (fps !== undefined && typeof fps !== 'boolean' && fps !== 'true' && fps !== 'false') {
    throw new FieldValueError('env MWOP_S3_FORCE_PATH_STYLE', fps, '"true" or "false"');
  }
  const storage: S3StorageConfig = {
    endpoint,
    bucket: need('s3-bucket', 'MWOP_S3_BUCKET'),
    region: opt('s3-region', 'MWOP_S3_REGION') ?? 'us-east-1',
    prefix: opt('s3-prefix', 'MWOP_S3_PREFIX') ?? '',
    forcePathStyle: fps === true || fps === 'true',
    credentials: { accessKeyId, secretAccessKey },
  };
  const timeoutRaw = opt('timeout', 'MWOP_TIMEOUT_SECONDS');
  const common: CommonConfig = {
    type: type as ToolType,
    storage,
    timeoutSeconds: timeoutRaw === undefined ? 0 : int('timeout', timeoutRaw, 0, 7 * 86400),
    ...(opt('result-file') ? { resultFile: opt('result-file') as string } : {}),
    ...(opt('dump-bin', 'MWOP_MYSQL_DUMP_BIN')
      ? { mysqlDumpBin: opt('dump-bin', 'MWOP_MYSQL_DUMP_BIN') as string }
      : {}),
    ...(opt('client-bin', 'MWOP_MYSQL_CLIENT_BIN')
      ? { mysqlClientBin: opt('client-bin', 'MWOP_MYSQL_CLIENT_BIN') as string }
      : {}),
  };
  const endpointOf = (): Endpoint => ({
    host: need('host', 'MWOP_DB_HOST'),
    port: int('port', need('port', 'MWOP_DB_PORT'), 1, 65535),
    ...(opt('user', 'MWOP_DB_USER') ? { user: opt('user', 'MWOP_DB_USER') as string } : {}),
    ...(env.MWOP_DB_PASSWORD !== undefined ? { password: env.MWOP_DB_PASSWORD } : {}),
  });

  if (command === 'backup') {
    const specRaw = opt('instance-spec', 'MWOP_INSTANCE_SPEC') ?? '{}';
    let instanceSpec: unknown;
    try {
      instanceSpec = JSON.parse(specRaw);
    } catch {
      throw new FieldValueError(
        '--instance-spec',
        specRaw.slice(0, 80),
        'the instance spec as a JSON object',
      );
    }
    if (!instanceSpec || typeof instanceSpec !== 'object' || Array.isArray(instanceSpec)) {
      throw new FieldValueError('--instance-spec', instanceSpec, 'the instance spec as a JSON object');
    }
    const source = endpointOf();
    if (type === 'mysql' && !source.user)
      throw new FieldValueError('--user (or MWOP_DB_USER)', undefined, 'a MySQL user');
    return {
      ...common,
      command,
      namespace: need('namespace', 'MWOP_NAMESPACE'),
      instance: need('instance', 'MWOP_INSTANCE'),
      backup: need('backup', 'MWOP_BACKUP'),
      pluginVersion: need('plugin-version', 'MWOP_PLUGIN_VERSION'),
      middlewareVersion: need('middleware-version', 'MWOP_MIDDLEWARE_VERSION'),
      instanceSpec: instanceSpec as MiddlewareInstanceSpec,
      source,
    };
  }
  const metadataKey = need('metadata-key', 'MWOP_METADATA_KEY');
  if (type === 'redis') {
    return {
      ...common,
      command,
      metadataKey,
      dataDir: need('data-dir', 'MWOP_DATA_DIR'),
      rdbFileName: opt('rdb-filename') ?? 'dump.rdb',
      // Optional for a redis restore: the address that must not be serving.
      ...(opt('host', 'MWOP_DB_HOST')
        ? {
            target: {
              host: need('host', 'MWOP_DB_HOST'),
              port: int('port', need('port', 'MWOP_DB_PORT'), 1, 65535),
            },
          }
        : {}),
    };
  }
  const target = endpointOf();
  if (!target.user) throw new FieldValueError('--user (or MWOP_DB_USER)', undefined, 'a MySQL user');
  return { ...common, command, metadataKey, target };
}
