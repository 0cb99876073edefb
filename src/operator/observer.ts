// Watches the instance, operation and backup caches and turns status phase transitions into
// notifications (FR-035) and the operator's own metrics. It reads only what the controllers wrote,
// so no reconciler needs to know about notifications or metrics, and it runs only where the
// controllers run (the leader): the replica that writes a transition is the one that announces it.
//
// Only `update` events carry a transition: the initial list (and an object seen for the first
// time) is a baseline, so a restarted or newly elected operator does not announce old history again.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MiddlewareBackup, MiddlewareInstance, MiddlewareOperation } from '../api/index.ts';
import type { InformerHandler } from '../kube/informer.ts';
import type { Logger } from '../log/logger.ts';
import {
  backupNotification,
  instanceOperationNotification,
  type NotificationEvent,
  operationNotification,
} from '../notify/index.ts';

interface Watched<T> {
  on(handler: InformerHandler<T>): unknown;
  list(namespace?: string): T[];
}

export interface ObservedCaches {
  instances: Watched<MiddlewareInstance>;
  operations: Watched<MiddlewareOperation>;
  backups: Watched<MiddlewareBackup>;
}

export interface LifecycleMetrics {
  operationsStarted: Counter<'type'>;
  operationsFinished: Counter<'type' | 'result'>;
  backups: Counter<'result'>;
  backupSize: Histogram;
  lastBackupSize: Gauge<'namespace' | 'instance'>;
}

const FINISHED = new Set(['Succeeded', 'Failed', 'Cancelled']);

function single<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * mwop_instances{type,phase} is computed from the instance cache at scrape time, so it can never
 * drift from what the cache holds; the others count transitions seen by this process.
 */
export function lifecycleMetrics(
  registry: Registry,
  instances: () => MiddlewareInstance[] = () => [],
): LifecycleMetrics {
  single(
    registry,
    'mwop_instances',
    () =>
      new Gauge({
        name: 'mwop_instances',
        help: 'MiddlewareInstances in the watched namespaces by type and status phase',
        labelNames: ['type', 'phase'],
        registers: [registry],
        collect(this: Gauge<'type' | 'phase'>) {
          this.reset();
          const counts = new Map<string, { type: string; phase: string; n: number }>();
          for (const i of instances()) {
            const type = i.spec?.type ?? '';
            const phase = i.status?.phase ?? 'Pending';
            const key = `${type}\n${phase}`;
            const c = counts.get(key) ?? { type, phase, n: 0 };
            c.n++;
            counts.set(key, c);
          }
          for (const c of counts.values()) this.set({ type: c.type, phase: c.phase }, c.n);
        },
      }),
  );
  return {
    operationsStarted: single(
      registry,
      'mwop_operations_started_total',
      () =>
        new Counter({
          name: 'mwop_operations_started_total',
          help: 'Lifecycle operations (instance changes and MiddlewareOperations) started, by type',
          labelNames: ['type'],
          registers: [registry],
        }),
    ),
    operationsFinished: single(
      registry,
      'mwop_operations_total',
      () =>
        new Counter({
          name: 'mwop_operations_total',
          help: 'Lifecycle operations finished, by type and result (Succeeded, Failed, Cancelled)',
          labelNames: ['type', 'result'],
          registers: [registry],
        }),
    ),
    backups: single(
      registry,
      'mwop_backups_total',
      () =>
        new Counter({
          name: 'mwop_backups_total',
          help: 'MiddlewareBackups finished, by result (Succeeded, Failed)',
          labelNames: ['result'],
          registers: [registry],
        }),
    ),
    backupSize: single(
      registry,
      'mwop_backup_size_bytes',
      () =>
        new Histogram({
          name: 'mwop_backup_size_bytes',
          help: 'Size of succeeded backups in bytes',
          buckets: [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12],
          registers: [registry],
        }),
    ),
    lastBackupSize: single(
      registry,
      'mwop_backup_last_size_bytes',
      () =>
        new Gauge({
          name: 'mwop_backup_last_size_bytes',
          help: 'Size in bytes of the last succeeded backup of each instance',
          labelNames: ['namespace', 'instance'],
          registers: [registry],
        }),
    ),
  };
}

/** The operation transitions between two versions of an instance's status. Pure. */
export function instanceTransitions(
  old: MiddlewareInstance,
  next: MiddlewareInstance,
): { started: NotificationEvent[]; finished: { type: string; phase: string; event?: NotificationEvent }[] } {
  const started: NotificationEvent[] = [];
  const finished: { type: string; phase: string; event?: NotificationEvent }[] = [];
  const before = old.status?.operations;
  const after = next.status?.operations;
  const cur = after?.current;
  if (cur && cur.name !== before?.current?.name) {
    const ev = instanceOperationNotification(next, {
      operation: cur.type,
      workflow: cur.workflow,
      phase: 'Running',
    });
    if (ev) started.push(ev);
  }
  const known = new Set((before?.recent ?? []).map((r) => r.name));
  for (const r of after?.recent ?? []) {
    if (known.has(r.name) || !FINISHED.has(r.phase)) continue;
    finished.push({
      type: r.type,
      phase: r.phase,
      event: instanceOperationNotification(next, {
        operation: r.type,
        workflow: r.workflow,
        previousPhase: 'Running',
        phase: r.phase,
        message: r.message,
      }),
    });
  }
  return { started, finished };
}

export interface Announcer {
  notify(ev: NotificationEvent): unknown;
}

/** Registers the handlers on the caches; call before the caches start. */
export function observeLifecycle(opts: {
  caches: ObservedCaches;
  notifier: Announcer;
  registry: Registry;
  log: Logger;
}): LifecycleMetrics {
  const { caches, notifier, log } = opts;
  const metrics = lifecycleMetrics(opts.registry, () => caches.instances.list());
  const announce = (ev: NotificationEvent | undefined) => {
    if (!ev) return;
    try {
      notifier.notify(ev);
    } catch (err) {
      // notify() never throws by contract; a bug there must still not break the informer.
      log.warn({ err: (err as Error).message }, 'could not queue a notification');
    }
  };

  caches.instances.on((type, obj, old) => {
    if (type !== 'update' || !old) return;
    const { started, finished } = instanceTransitions(old, obj);
    for (const ev of started) {
      metrics.operationsStarted.inc({ type: ev.operation ?? '' });
      announce(ev);
    }
    for (const f of finished) {
      metrics.operationsFinished.inc({ type: f.type, result: f.phase });
      announce(f.event);
    }
  });

  caches.operations.on((type, obj, old) => {
    if (type !== 'update' || !old) return;
    const before = old.status?.phase;
    const after = obj.status?.phase;
    if (!after || before === after) return;
    if (after === 'Running') metrics.operationsStarted.inc({ type: obj.spec.type });
    if (FINISHED.has(after)) metrics.operationsFinished.inc({ type: obj.spec.type, result: after });
    announce(operationNotification(obj, before));
  });

  caches.backups.on((type, obj, old) => {
    if (type !== 'update' || !old) return;
    const before = old.status?.phase;
    const after = obj.status?.phase;
    if (!after || before === after) return;
    if (FINISHED.has(after)) metrics.backups.inc({ result: after });
    if (after === 'Succeeded' && typeof obj.status?.size === 'number') {
      metrics.backupSize.observe(obj.status.size);
      metrics.lastBackupSize.set(
        { namespace: obj.metadata.namespace ?? '', instance: obj.spec.instanceRef.name },
        obj.status.size,
      );
    }
    announce(backupNotification(obj, before));
  });

  return metrics;
}
