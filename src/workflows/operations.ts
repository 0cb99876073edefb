// Everything a workflow can be asked to do. The first eight are the orchestrated changes the
// instance controller plans (same shape as controllers/instance/operations.ts); the rest come from
// MiddlewareOperations, backups and retention.
import type { BackupStorageSpec, ResourceRequirements } from '../api/index.ts';

export interface S3Target {
  storage: BackupStorageSpec;
  /** Secret in the instance namespace with the S3 keys (the operator copies the storage's Secret there). */
  credentialsSecret: string;
}

export type WorkflowOperation =
  | { kind: 'Create'; replicas: number }
  | { kind: 'ScaleOut'; from: number; to: number }
  | { kind: 'ScaleIn'; from: number; to: number }
  | { kind: 'VerticalScale'; resources: ResourceRequirements }
  | { kind: 'VolumeExpand'; from: string; to: string }
  | {
      kind: 'Upgrade';
      fromPlugin: string;
      toPlugin: string;
      fromVersion: string;
      toVersion: string;
      /** Checksum of the target version's config: the members restart with it (see configChecksum below). */
      configChecksum?: string;
    }
  | {
      kind: 'VersionSwitch';
      from: string;
      to: string;
      /**
       * The config the target version renders. The controller applies it to the ConfigMap before
       * the members restart, so they start with it, and records it as applied when the change
       * succeeds: no config reload follows an upgrade only because the version's config differs.
       */
      configChecksum?: string;
    }
  | { kind: 'ConfigReload'; checksum: string }
  | { kind: 'Restart' }
  | { kind: 'Switchover'; target?: number }
  | { kind: 'Failover'; target?: number }
  | ({ kind: 'Backup'; backup: string } & S3Target)
  | ({
      kind: 'Restore';
      backup: string;
      metadataKey: string;
      /** Name of the safety backup taken first; absent: no safety backup (skipSafetyBackup). */
      safetyBackup?: string;
    } & S3Target)
  | {
      kind: 'RetentionCleanup';
      maxCount?: number;
      maxAge?: string;
      /**
       * One cleanup step per BackupStorage holding a victim's objects (or the instance's storage when
       * none does): the step gets that storage's settings as parameters and its keys from the Secret
       * copied into the namespace, so the workflow ServiceAccount reads nothing cluster-scoped.
       */
      targets: RetentionTarget[];
    };

export interface RetentionTarget extends S3Target {
  /** The BackupStorage's name, as recorded in the victims' status.storage. */
  storageName: string;
}

export type WorkflowOperationKind = WorkflowOperation['kind'];
export type OperationOf<K extends WorkflowOperationKind> = Extract<WorkflowOperation, { kind: K }>;
