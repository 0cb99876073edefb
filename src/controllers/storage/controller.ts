import type { Clock } from '../../kube/clock.ts';
import { systemClock } from '../../kube/clock.ts';
import { Controller } from '../../kube/controller.ts';
import { objectKey } from '../../kube/informer.ts';
import { WorkQueue } from '../../kube/work-queue.ts';
import type { Caches } from '../../operator/caches.ts';
import type { OperatorContext } from '../../operator/context.ts';
import { StorageProbeReconciler } from './probe-reconcile.ts';

/** Probes every BackupStorage on change and periodically (requeueAfter), and writes its status. */
export function storageController(
  ctx: OperatorContext,
  caches: Caches,
  clock: Clock = systemClock,
): Controller {
  const reconciler = new StorageProbeReconciler({
    rest: ctx.rest,
    storages: caches.storages,
    events: ctx.events,
    log: ctx.log,
    clock,
  });
  const controller = new Controller({
    name: 'backupstorage',
    log: ctx.log,
    registry: ctx.registry,
    reconcile: (key) => reconciler.reconcile(key),
    queue: new WorkQueue({ clock }),
  });
  caches.storages.on((event, s) => {
    // Status writes come back as updates; only a spec change (or a new object) needs a probe now.
    if (event === 'delete') return;
    if (event === 'update' && s.status?.observedGeneration === s.metadata.generation) return;
    controller.enqueue(objectKey(s));
  });
  return controller;
}
