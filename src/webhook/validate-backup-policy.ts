// The backup parts of MiddlewareInstance admission: spec.backup (schedule, retention, storage) and
// spec.restoreFrom (the backup exists, has finished, and is of this instance's type). The schedule
// and retention checks are pure; the references are read only when they are new (a create, or a
// changed storage), so an ordinary update costs no lookups.
import type { MiddlewareInstance } from '../api/index.ts';
import { parseRetention } from '../backup/retention.ts';
import { parseSchedule } from '../backup/schedule.ts';
import type { ReferenceLookups } from './validate-others.ts';

/** Schedule and retention problems; pure. */
export function backupPolicyProblems(instance: MiddlewareInstance): string[] {
  const policy = instance.spec.backup;
  if (!policy) return [];
  const problems: string[] = [];
  if (policy.schedule !== undefined) {
    try {
      parseSchedule(policy.schedule, 'spec.backup.schedule');
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (policy.retention !== undefined) {
    try {
      parseRetention(policy.retention, 'spec.backup.retention');
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}

const list = (names: string[]) => (names.length ? names.join(', ') : '(none)');

/** Problems with the BackupStorage and backup an instance names; only what is new is looked up. */
export async function backupReferenceProblems(
  instance: MiddlewareInstance,
  old: MiddlewareInstance | undefined,
  look: ReferenceLookups,
): Promise<string[]> {
  const problems: string[] = [];
  const ns = instance.metadata?.namespace ?? '';
  const storage = instance.spec.backup?.storage;
  if (storage && storage !== old?.spec.backup?.storage && !(await look.storage(storage))) {
    problems.push(
      `spec.backup.storage: no BackupStorage "${storage}"; existing: ${list(await look.storageNames())}`,
    );
  }
  const from = instance.spec.restoreFrom;
  if (!from || old) return problems; // restoreFrom is read only at creation
  if (from.s3 && !(await look.storage(from.s3.storage))) {
    problems.push(
      `spec.restoreFrom.s3.storage: no BackupStorage "${from.s3.storage}"; existing: ${list(await look.storageNames())}`,
    );
  }
  if (from.backup) {
    const backup = await look.backup(ns, from.backup);
    if (!backup) {
      problems.push(
        `spec.restoreFrom.backup: no MiddlewareBackup "${from.backup}" in namespace ${ns}; accepted: a Succeeded backup in this namespace (\`kubectl mw backup list\`), or spec.restoreFrom.s3 for one found only in S3`,
      );
    } else if (backup.status?.phase !== 'Succeeded') {
      problems.push(
        `spec.restoreFrom.backup: backup ${from.backup} is ${backup.status?.phase ?? 'Pending'}; accepted: a Succeeded backup`,
      );
    } else if (backup.status.type && backup.status.type !== instance.spec.type) {
      problems.push(
        `spec.restoreFrom.backup: backup ${from.backup} is of type ${backup.status.type}, but spec.type is ${instance.spec.type}; accepted: a backup of a ${instance.spec.type} instance`,
      );
    }
  }
  return problems;
}
