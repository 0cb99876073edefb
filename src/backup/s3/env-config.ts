// An S3 config from the environment the workflow templates set (src/workflows/templates/tool-env.ts):
// MWOP_S3_ENDPOINT, MWOP_S3_BUCKET, MWOP_S3_REGION, MWOP_S3_PREFIX, MWOP_S3_FORCE_PATH_STYLE, and the
// keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (from the Secret copied into the namespace).
// Pure: every bad value is a FieldValueError naming the variable.
import { FieldValueError } from '../errors.ts';
import { normalizePrefix, type S3StorageConfig } from './client.ts';

type Env = Record<string, string | undefined>;

/** The config, or undefined when MWOP_S3_ENDPOINT is not set (the caller reads the BackupStorage instead). */
export function s3ConfigFromEnv(env: Env): S3StorageConfig | undefined {
  const endpoint = env.MWOP_S3_ENDPOINT;
  if (endpoint === undefined || endpoint === '') return undefined;
  if (!/^https?:\/\/[^\s/]+(\/.*)?$/.test(endpoint)) {
    throw new FieldValueError('env MWOP_S3_ENDPOINT', endpoint, 'an http:// or https:// URL');
  }
  const bucket = env.MWOP_S3_BUCKET;
  if (!bucket) throw new FieldValueError('env MWOP_S3_BUCKET', bucket, 'the bucket name');
  const fps = env.MWOP_S3_FORCE_PATH_STYLE;
  if (fps !== undefined && fps !== '' && fps !== 'true' && fps !== 'false') {
    throw new FieldValueError('env MWOP_S3_FORCE_PATH_STYLE', fps, '"true" or "false"');
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId) {
    throw new FieldValueError(
      'env AWS_ACCESS_KEY_ID',
      undefined,
      'the S3 access key id (from the storage Secret)',
    );
  }
  if (!secretAccessKey) {
    throw new FieldValueError(
      'env AWS_SECRET_ACCESS_KEY',
      undefined,
      'the S3 secret access key (from the storage Secret)',
    );
  }
  return {
    endpoint,
    bucket,
    region: env.MWOP_S3_REGION || 'us-east-1',
    prefix: normalizePrefix(env.MWOP_S3_PREFIX ?? ''),
    forcePathStyle: fps === 'true',
    credentials: { accessKeyId, secretAccessKey },
  };
}
