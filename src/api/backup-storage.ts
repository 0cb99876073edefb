import { conditionsField, observedGenerationField } from './common.ts';
import { bool, name, obj, opt, type Static, str, stringEnum, time } from './schema-kit.ts';

export const BackupStorageSpec = obj(
  {
    endpoint: str(
      'S3 endpoint URL, for example https://s3.eu-west-1.amazonaws.com or http://minio.backup:9000.',
      {
        pattern: '^https?://[^\\s/]+(/.*)?$',
        maxLength: 2048,
      },
    ),
    bucket: str('Bucket name.', { minLength: 3, maxLength: 63, pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$' }),
    region: opt(str('Region.', { default: 'us-east-1', maxLength: 64 })),
    prefix: opt(
      str('Key prefix for every object, without a leading slash.', {
        maxLength: 512,
        pattern: '^[^/].*$|^$',
      }),
    ),
    forcePathStyle: opt(
      bool('Address the bucket in the path (needed by most non-AWS servers).', { default: false }),
    ),
    insecureSkipTLSVerify: opt(bool('Do not verify the server certificate. For tests only.')),
    credentialsSecretRef: obj(
      {
        namespace: name('Namespace of the Secret.'),
        name: name('Secret name.'),
        accessKeyIdKey: opt(str('Key of the access key id.', { default: 'accessKeyId', maxLength: 253 })),
        secretAccessKeyKey: opt(
          str('Key of the secret access key.', { default: 'secretAccessKey', maxLength: 253 }),
        ),
      },
      'Secret with the S3 credentials.',
    ),
  },
  'An S3-compatible endpoint for backups (FR-025).',
);
export type BackupStorageSpec = Static<typeof BackupStorageSpec>;

export const BackupStorageStatus = obj(
  {
    phase: opt(
      stringEnum(['Ready', 'Unavailable'] as const, 'Ready when the last probe reached the bucket.'),
    ),
    message: opt(str('What failed: DNS, TLS, auth or a missing bucket.', { maxLength: 32768 })),
    conditions: conditionsField(),
    observedGeneration: observedGenerationField(),
    lastProbeTime: opt(time('When the endpoint was last probed.')),
  },
  'Observed state of the endpoint.',
);
export type BackupStorageStatus = Static<typeof BackupStorageStatus>;
