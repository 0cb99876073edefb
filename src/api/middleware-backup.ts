import { conditionsField, LocalObjectReference, observedGenerationField } from './common.ts';
import { bool, int, name, obj, opt, type Static, str, stringEnum, time, withRules } from './schema-kit.ts';

export const BACKUP_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Deleting'] as const;
export type BackupPhase = (typeof BACKUP_PHASES)[number];

export const MiddlewareBackupSpec = withRules(
  obj(
    {
      instanceRef: LocalObjectReference,
      storage: opt(name("BackupStorage to write to; defaults to the instance's spec.backup.storage.")),
      retention: opt(
        obj(
          { pinned: opt(bool('Never delete this backup by retention policy.')) },
          'How retention treats this backup.',
        ),
      ),
    },
    'Which instance to back up, and where to.',
  ),
  [{ rule: 'self.instanceRef == oldSelf.instanceRef', message: 'instanceRef is immutable' }],
);
export type MiddlewareBackupSpec = Static<typeof MiddlewareBackupSpec>;

export const MiddlewareBackupStatus = obj(
  {
    phase: opt(stringEnum(BACKUP_PHASES, 'Backup phase. A Failed backup is not retried (edge case 4).')),
    message: opt(str('Why it failed, or what it is doing.', { maxLength: 32768 })),
    conditions: conditionsField(),
    observedGeneration: observedGenerationField(),
    storage: opt(str('BackupStorage actually used.', { maxLength: 253 })),
    bucket: opt(str('S3 bucket.', { maxLength: 253 })),
    path: opt(str('S3 key of the data object.', { maxLength: 1024 })),
    metadataPath: opt(str('S3 key of metadata.json.', { maxLength: 1024 })),
    size: opt(int('Size of the data object in bytes.', { format: 'int64', minimum: 0 })),
    sha256: opt(str('SHA-256 of the data object, hex.', { pattern: '^[0-9a-f]{64}$' })),
    type: opt(str('MiddlewareType of the instance.', { maxLength: 253 })),
    pluginVersion: opt(str('Plugin version of the instance at backup time.', { maxLength: 32 })),
    middlewareVersion: opt(str('Middleware version at backup time.', { maxLength: 64 })),
    startTime: opt(time('When the tool started.')),
    completionTime: opt(time('When the data and metadata were both written.')),
    workflow: opt(str('Argo Workflow that ran it.', { maxLength: 253 })),
  },
  'Observed state of the backup.',
);
export type MiddlewareBackupStatus = Static<typeof MiddlewareBackupStatus>;
