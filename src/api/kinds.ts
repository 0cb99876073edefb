// The five kinds of group mwop.dev: schemas, names and printer columns in one place.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { BackupStorageSpec, BackupStorageStatus } from './backup-storage.ts';
import { MiddlewareBackupSpec, MiddlewareBackupStatus } from './middleware-backup.ts';
import { MiddlewareInstanceSpec, MiddlewareInstanceStatus } from './middleware-instance.ts';
import { MiddlewareOperationSpec, MiddlewareOperationStatus } from './middleware-operation.ts';
import { MiddlewareTypeSpec, MiddlewareTypeStatus } from './middleware-type.ts';
import type { API_VERSION, Static, TSchema } from './schema-kit.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  description: string;
  spec: TSchema;
  status: TSchema;
  printerColumns: PrinterColumn[];
}

const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since creation.',
};

export const MiddlewareTypeKind: KindDefinition = {
  kind: 'MiddlewareType',
  plural: 'middlewaretypes',
  singular: 'middlewaretype',
  shortNames: ['mwt'],
  scope: 'Cluster',
  description:
    'MiddlewareType defines one kind of middleware (Redis, MySQL, ...) and its immutable plugin versions: images, lifecycle hooks, scaling rules, backup tool, security context, CUE config schema and presets.',
  spec: MiddlewareTypeSpec,
  status: MiddlewareTypeStatus,
  printerColumns: [
    { name: 'Display', type: 'string', jsonPath: '.spec.displayName', description: 'Display name.' },
    { name: 'Versions', type: 'string', jsonPath: '.status.pluginVersions', description: 'Plugin versions.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Ready or Invalid.' },
    age,
  ],
};

export const MiddlewareInstanceKind: KindDefinition = {
  kind: 'MiddlewareInstance',
  plural: 'middlewareinstances',
  singular: 'middlewareinstance',
  shortNames: ['mwi'],
  scope: 'Namespaced',
  description:
    'MiddlewareInstance is one running middleware (for example a Redis) that a developer asked for. The operator runs every lifecycle change as an Argo Workflow and mirrors it into the status.',
  spec: MiddlewareInstanceSpec,
  status: MiddlewareInstanceStatus,
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'MiddlewareType.' },
    { name: 'Plugin', type: 'string', jsonPath: '.spec.pluginVersion', description: 'Plugin version.' },
    {
      name: 'Version',
      type: 'string',
      jsonPath: '.status.middlewareVersion',
      description: 'Middleware version.',
    },
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired members.' },
    { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas', description: 'Ready members.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase.' },
    {
      name: 'Operation',
      type: 'string',
      jsonPath: '.status.operations.current.type',
      description: 'Running operation.',
      priority: 1,
    },
    age,
  ],
};

export const MiddlewareBackupKind: KindDefinition = {
  kind: 'MiddlewareBackup',
  plural: 'middlewarebackups',
  singular: 'middlewarebackup',
  shortNames: ['mwb'],
  scope: 'Namespaced',
  description:
    'MiddlewareBackup is one backup of an instance, taken by a separate tool pod and stored in S3 with a metadata file and a SHA-256 checksum.',
  spec: MiddlewareBackupSpec,
  status: MiddlewareBackupStatus,
  printerColumns: [
    {
      name: 'Instance',
      type: 'string',
      jsonPath: '.spec.instanceRef.name',
      description: 'Instance backed up.',
    },
    { name: 'Storage', type: 'string', jsonPath: '.status.storage', description: 'BackupStorage used.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Backup phase.' },
    { name: 'Size', type: 'integer', jsonPath: '.status.size', description: 'Bytes stored.' },
    { name: 'Completed', type: 'date', jsonPath: '.status.completionTime', description: 'Completion time.' },
    age,
  ],
};

export const MiddlewareOperationKind: KindDefinition = {
  kind: 'MiddlewareOperation',
  plural: 'middlewareoperations',
  singular: 'middlewareoperation',
  shortNames: ['mwo'],
  scope: 'Namespaced',
  description:
    'MiddlewareOperation is a one-shot operation on an instance: restore in place, switchover or failover, restart, or a custom hook. It runs once, like a Job. Cancel it with the annotation mwop.dev/cancel=true.',
  spec: MiddlewareOperationSpec,
  status: MiddlewareOperationStatus,
  printerColumns: [
    { name: 'Instance', type: 'string', jsonPath: '.spec.instanceRef.name', description: 'Target instance.' },
    { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Operation type.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Operation phase.' },
    { name: 'Progress', type: 'string', jsonPath: '.status.progress', description: 'Steps done/total.' },
    age,
  ],
};

export const BackupStorageKind: KindDefinition = {
  kind: 'BackupStorage',
  plural: 'backupstorages',
  singular: 'backupstorage',
  shortNames: ['mwbs'],
  scope: 'Cluster',
  description: 'BackupStorage is an S3-compatible endpoint that backups are written to. There can be many.',
  spec: BackupStorageSpec,
  status: BackupStorageStatus,
  printerColumns: [
    { name: 'Endpoint', type: 'string', jsonPath: '.spec.endpoint', description: 'S3 endpoint.' },
    { name: 'Bucket', type: 'string', jsonPath: '.spec.bucket', description: 'Bucket.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Ready or Unavailable.' },
    age,
  ],
};

export const ALL_KINDS: readonly KindDefinition[] = [
  MiddlewareTypeKind,
  MiddlewareInstanceKind,
  MiddlewareBackupKind,
  MiddlewareOperationKind,
  BackupStorageKind,
];

/** A mwop.dev object as the API server returns it. */
export interface KubeObject<K extends string, Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: V1ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type MiddlewareType = KubeObject<
  'MiddlewareType',
  Static<typeof MiddlewareTypeSpec>,
  Static<typeof MiddlewareTypeStatus>
>;
export type MiddlewareInstance = KubeObject<
  'MiddlewareInstance',
  Static<typeof MiddlewareInstanceSpec>,
  Static<typeof MiddlewareInstanceStatus>
>;
export type MiddlewareBackup = KubeObject<
  'MiddlewareBackup',
  Static<typeof MiddlewareBackupSpec>,
  Static<typeof MiddlewareBackupStatus>
>;
export type MiddlewareOperation = KubeObject<
  'MiddlewareOperation',
  Static<typeof MiddlewareOperationSpec>,
  Static<typeof MiddlewareOperationStatus>
>;
export type BackupStorage = KubeObject<
  'BackupStorage',
  Static<typeof BackupStorageSpec>,
  Static<typeof BackupStorageStatus>
>;
