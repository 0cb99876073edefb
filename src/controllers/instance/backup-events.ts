// The instance phase shows BackingUp while one of its MiddlewareBackups is Running (status.ts), so
// a backup that starts or ends must wake its instance. The backup workflow's own events come
// first and are not enough: the instance may look while the backup is still Running, and then
// nothing would wake it when the backup controller writes Succeeded or Failed.
import type { MiddlewareBackup } from '../../api/index.ts';
import type { InformerEventType } from '../../kube/informer.ts';

/** The instance key ("namespace/name") to reconcile after a backup event, or undefined. */
export function instanceToWakeForBackup(
  type: InformerEventType,
  backup: MiddlewareBackup,
  old?: MiddlewareBackup,
): string | undefined {
  const ns = backup.metadata?.namespace;
  const instance = backup.spec?.instanceRef?.name;
  if (!ns || !instance) return undefined;
  // A periodic resync wakes every instance through its own informer already.
  if (type === 'resync') return undefined;
  if (type === 'update' && old?.status?.phase === backup.status?.phase) return undefined;
  return `${ns}/${instance}`;
}
