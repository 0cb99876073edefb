// Environment of the backup tool pod (src/backup/tools/config.ts reads it): where the data is, the
// S3 endpoint, and credentials from Secrets in the workflow's namespace.
import type { EnvVar, Parameter } from '../argo-types.ts';
import { input, p } from './params.ts';

export const S3_PARAMETERS: Parameter[] = [
  p('s3-endpoint', 'S3 endpoint URL of the BackupStorage.'),
  p('s3-bucket', 'Bucket.'),
  p('s3-region', 'Region.', 'us-east-1'),
  p('s3-prefix', 'Key prefix, without a leading slash.', ''),
  p('s3-force-path-style', 'true for path-style addressing (most self-hosted S3 servers).', 'true'),
  p('s3-credentials-secret', 'Secret in this namespace with the S3 access keys.'),
  p('s3-access-key-id-key', 'Key of the access key id in that Secret.', 'accessKeyId'),
  p('s3-secret-access-key-key', 'Key of the secret access key in that Secret.', 'secretAccessKey'),
];

export const TOOL_PARAMETERS: Parameter[] = [
  p('image', 'Backup tool image (backupConfig.image of the MiddlewareType).'),
  p(
    'command',
    'The tool command line, shell-quoted (backupConfig.command or restoreCommand); it must accept --result-file PATH and write its JSON result there.',
  ),
  p('timeout-seconds', 'Deadline of the tool run; the pod is stopped after it.', '3600'),
  p('resources', 'Container resources as JSON, for example {"limits":{"cpu":"1","memory":"1Gi"}}.', '{}'),
];

export const DB_PARAMETERS: Parameter[] = [
  p('db-host', 'Member to back up from or restore into (host name).', ''),
  p('db-port', 'Its client port.', ''),
  p('db-user', 'User name.', ''),
  p('credentials-secret', 'Secret with the middleware password.'),
  p('password-key', 'Key of the password in that Secret.', 'password'),
];

export function s3Env(): EnvVar[] {
  return [
    { name: 'MWOP_S3_ENDPOINT', value: input('s3-endpoint') },
    { name: 'MWOP_S3_BUCKET', value: input('s3-bucket') },
    { name: 'MWOP_S3_REGION', value: input('s3-region') },
    { name: 'MWOP_S3_PREFIX', value: input('s3-prefix') },
    { name: 'MWOP_S3_FORCE_PATH_STYLE', value: input('s3-force-path-style') },
    {
      name: 'AWS_ACCESS_KEY_ID',
      valueFrom: {
        secretKeyRef: { name: input('s3-credentials-secret'), key: input('s3-access-key-id-key') },
      },
    },
    {
      name: 'AWS_SECRET_ACCESS_KEY',
      valueFrom: {
        secretKeyRef: { name: input('s3-credentials-secret'), key: input('s3-secret-access-key-key') },
      },
    },
  ];
}

export function dbEnv(): EnvVar[] {
  return [
    { name: 'MWOP_DB_HOST', value: input('db-host') },
    { name: 'MWOP_DB_PORT', value: input('db-port') },
    { name: 'MWOP_DB_USER', value: input('db-user') },
    {
      name: 'MWOP_DB_PASSWORD',
      valueFrom: { secretKeyRef: { name: input('credentials-secret'), key: input('password-key') } },
    },
  ];
}

export const RESULT_FILE = '/tmp/mwop-result.json';

/** Resources come in as JSON through podSpecPatch: Argo's schema does not allow a parameter in a quantity. */
export const RESOURCES_PATCH = `{"containers":[{"name":"main","resources":${input('resources')}}]}`;
