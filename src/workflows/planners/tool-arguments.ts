// Parameters shared by the backup and restore steps: the tool image and command from the type,
// the S3 endpoint and the Secrets in the instance namespace.
import type { BackupConfig } from '../../api/index.ts';
import type { PlanContext } from '../context.ts';
import type { S3Target } from '../operations.ts';

/** POSIX shell quoting: the command runs as `sh -c "exec <command>"` in the tool pod. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function backupConfigOf(ctx: PlanContext, what: string): BackupConfig {
  const cfg = ctx.plugin.version.backupConfig;
  if (!cfg) {
    throw new Error(
      `spec.type: ${what} needs backupConfig in ${ctx.plugin.typeName} ${ctx.plugin.version.pluginVersion}, which declares none; accepted: a plugin version with backupConfig.image and backupConfig.command`,
    );
  }
  return cfg;
}

/** The tool type passed as MWOP_BACKUP_TYPE: the value after --type in the command, else the type name. */
export function toolType(ctx: PlanContext, argv: readonly string[]): string {
  const i = argv.indexOf('--type');
  const inline = argv.find((a) => a.startsWith('--type='));
  return (i >= 0 ? argv[i + 1] : inline?.slice('--type='.length)) ?? ctx.plugin.typeName;
}

export function toolParameters(
  ctx: PlanContext,
  cfg: BackupConfig,
  argv: readonly string[],
): Record<string, string> {
  return {
    image: cfg.image,
    command: shellJoin(argv),
    'timeout-seconds': String(cfg.timeoutSeconds ?? 3600),
    resources: JSON.stringify(cfg.resources ?? {}),
    type: toolType(ctx, argv),
  };
}

export function s3Parameters(target: S3Target): Record<string, string> {
  const s = target.storage;
  return {
    's3-endpoint': s.endpoint,
    's3-bucket': s.bucket,
    's3-region': s.region ?? 'us-east-1',
    's3-prefix': s.prefix ?? '',
    's3-force-path-style': String(s.forcePathStyle ?? false),
    's3-credentials-secret': target.credentialsSecret,
    's3-access-key-id-key': s.credentialsSecretRef.accessKeyIdKey ?? 'accessKeyId',
    's3-secret-access-key-key': s.credentialsSecretRef.secretAccessKeyKey ?? 'secretAccessKey',
  };
}

export function dbParameters(ctx: PlanContext, host: string): Record<string, string> {
  const creds = ctx.instance.spec.credentials;
  return {
    'db-host': host,
    'db-port': String(ctx.plugin.version.workload.ports[0]?.port ?? ''),
    'db-user': ctx.plugin.version.connection?.username ?? '',
    'credentials-secret': creds?.existingSecret ?? `${ctx.name}-credentials`,
    'password-key': creds?.passwordKey ?? 'password',
  };
}
