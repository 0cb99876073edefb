// Admission for MiddlewareBackup, MiddlewareOperation and BackupStorage: schema first, then the
// references, so a backup of a missing instance or a restore across types fails at apply time.
import type {
  BackupStorage,
  MiddlewareBackup,
  MiddlewareInstance,
  MiddlewareOperation,
} from '../api/index.ts';
import {
  BackupStorageKind,
  formatFieldError,
  MiddlewareBackupKind,
  MiddlewareOperationKind,
  validateAgainstSchema,
} from '../api/index.ts';
import { ANNOTATION_SYNCED_FROM } from '../backup/metadata.ts';
import { type AdmissionRequest, allow, deny, type Verdict } from './admission.ts';

export interface ReferenceLookups {
  instance(namespace: string, name: string): Promise<MiddlewareInstance | undefined>;
  backup(namespace: string, name: string): Promise<MiddlewareBackup | undefined>;
  storage(name: string): Promise<BackupStorage | undefined>;
  storageNames(): Promise<string[]>;
}

const list = (names: string[]) => (names.length ? names.join(', ') : '(none)');

export function backupValidator(look: ReferenceLookups) {
  return async (req: AdmissionRequest): Promise<Verdict> => {
    if (req.operation !== 'CREATE' || !req.object) return allow();
    const backup = req.object as unknown as MiddlewareBackup;
    const schema = validateAgainstSchema(MiddlewareBackupKind, backup).map(formatFieldError);
    if (schema.length) return deny(schema);
    const ns = req.namespace ?? backup.metadata?.namespace ?? '';
    const problems: string[] = [];
    const instance = await look.instance(ns, backup.spec.instanceRef.name);
    // A backup rebuilt from S3 by a catalog sync records one that exists; its instance may not
    // (a fresh cluster restoring from S3 alone), so only its storage is checked.
    const synced = Boolean(backup.metadata?.annotations?.[ANNOTATION_SYNCED_FROM]);
    if (!instance && !synced) {
      problems.push(
        `spec.instanceRef.name: no MiddlewareInstance "${backup.spec.instanceRef.name}" in namespace ${ns}`,
      );
    }
    const storageName = backup.spec.storage ?? instance?.spec.backup?.storage;
    if (!storageName) {
      problems.push(
        `spec.storage: not set, and instance ${backup.spec.instanceRef.name} has no spec.backup.storage; name a BackupStorage (existing: ${list(await look.storageNames())})`,
      );
    } else if (!(await look.storage(storageName))) {
      problems.push(
        `spec.storage: no BackupStorage "${storageName}"; existing: ${list(await look.storageNames())}`,
      );
    }
    return problems.length ? deny(problems) : allow();
  };
}

export function operationValidator(look: ReferenceLookups) {
  return async (req: AdmissionRequest): Promise<Verdict> => {
    if (req.operation !== 'CREATE' || !req.object) return allow();
    const op = req.object as unknown as MiddlewareOperation;
    const schema = validateAgainstSchema(MiddlewareOperationKind, op).map(formatFieldError);
    if (schema.length) return deny(schema);
    const ns = req.namespace ?? op.metadata?.namespace ?? '';
    const instance = await look.instance(ns, op.spec.instanceRef.name);
    if (!instance)
      return deny([
        `spec.instanceRef.name: no MiddlewareInstance "${op.spec.instanceRef.name}" in namespace ${ns}`,
      ]);
    if (op.spec.type === 'Restore' && op.spec.restore) {
      const backup = await look.backup(ns, op.spec.restore.backup);
      if (!backup)
        return deny([
          `spec.restore.backup: no MiddlewareBackup "${op.spec.restore.backup}" in namespace ${ns}`,
        ]);
      if (backup.status?.phase !== 'Succeeded') {
        return deny([
          `spec.restore.backup: backup ${op.spec.restore.backup} is ${backup.status?.phase ?? 'Pending'}; only a Succeeded backup can be restored`,
        ]);
      }
      if (backup.status?.type && backup.status.type !== instance.spec.type) {
        return deny([
          `spec.restore.backup: backup ${op.spec.restore.backup} is of type ${backup.status.type}, but instance ${instance.metadata.name} is ${instance.spec.type}; restore it into a ${backup.status.type} instance`,
        ]);
      }
    }
    return allow();
  };
}

export function storageValidator() {
  return (req: AdmissionRequest): Verdict => {
    if (req.operation === 'DELETE' || !req.object) return allow();
    const storage = req.object as unknown as BackupStorage;
    const schema = validateAgainstSchema(BackupStorageKind, storage).map(formatFieldError);
    return schema.length ? deny(schema) : allow();
  };
}
