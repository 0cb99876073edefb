// Pure: which notification a status change announces. Controllers call these with the phase they
// read and the phase they are about to write, and pass the result to Notifier.notify().
import type { MiddlewareBackup, MiddlewareInstance, MiddlewareOperation } from '../api/index.ts';
import type { NotificationEvent, NotificationPhase } from './cloudevent.ts';

/**
 * started on entering Running, succeeded on entering Succeeded, failed on entering Failed or
 * Cancelled; nothing for any other change, or when the phase did not change (a repeated reconcile).
 */
export function phaseTransition(
  previous: string | undefined,
  next: string | undefined,
): NotificationPhase | undefined {
  if (!next || previous === next) return undefined;
  if (next === 'Running') return 'started';
  if (next === 'Succeeded') return 'succeeded';
  if (next === 'Failed' || next === 'Cancelled') return 'failed';
  return undefined;
}

const when = (t: string | undefined): Date | undefined => {
  if (!t) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/** A MiddlewareOperation whose status goes from previousPhase to op.status.phase. */
export function operationNotification(
  op: MiddlewareOperation,
  previousPhase: string | undefined,
): NotificationEvent | undefined {
  const phase = phaseTransition(previousPhase, op.status?.phase);
  if (!phase) return undefined;
  const s = op.status ?? {};
  return {
    kind: 'operation',
    phase,
    namespace: op.metadata.namespace ?? '',
    name: op.metadata.name ?? '',
    uid: op.metadata.uid,
    instance: op.spec.instanceRef?.name,
    operation: op.spec.type,
    workflow: s.workflow,
    message: s.phase === 'Cancelled' ? `cancelled${s.message ? `: ${s.message}` : ''}` : s.message,
    time: when(phase === 'started' ? s.startTime : s.completionTime),
  };
}

/** A MiddlewareBackup whose status goes from previousPhase to backup.status.phase. */
export function backupNotification(
  backup: MiddlewareBackup,
  previousPhase: string | undefined,
): NotificationEvent | undefined {
  const phase = phaseTransition(previousPhase, backup.status?.phase);
  if (!phase) return undefined;
  const s = backup.status ?? {};
  const located = s.bucket && s.path ? `s3://${s.bucket}/${s.path}` : undefined;
  return {
    kind: 'backup',
    phase,
    namespace: backup.metadata.namespace ?? '',
    name: backup.metadata.name ?? '',
    uid: backup.metadata.uid,
    instance: backup.spec.instanceRef?.name,
    workflow: s.workflow,
    message: s.message,
    time: when(phase === 'started' ? s.startTime : s.completionTime),
    ...(phase === 'succeeded' || s.storage
      ? {
          backup: {
            storage: s.storage,
            location: located,
            sizeBytes: s.size,
            sha256: s.sha256,
          },
        }
      : {}),
  };
}

/**
 * An orchestrated change of an instance (Create, ScaleOut, Upgrade, ...) that runs as a workflow
 * without a MiddlewareOperation object: the subject is the instance, the operation its kind.
 */
export function instanceOperationNotification(
  instance: MiddlewareInstance,
  change: { operation: string; workflow?: string; previousPhase?: string; phase: string; message?: string },
): NotificationEvent | undefined {
  const phase = phaseTransition(change.previousPhase, change.phase);
  if (!phase) return undefined;
  return {
    kind: 'operation',
    phase,
    objectKind: 'MiddlewareInstance',
    namespace: instance.metadata.namespace ?? '',
    name: instance.metadata.name ?? '',
    uid: instance.metadata.uid,
    instance: instance.metadata.name,
    operation: change.operation,
    workflow: change.workflow,
    message: change.message,
  };
}
