import type { Clock } from '../../kube/clock.ts';
import { systemClock } from '../../kube/clock.ts';
import { Controller } from '../../kube/controller.ts';
import { objectKey } from '../../kube/informer.ts';
import { WorkQueue } from '../../kube/work-queue.ts';
import type { Caches } from '../../operator/caches.ts';
import type { OperatorContext } from '../../operator/context.ts';
import { CatalogSyncReconciler } from './catalog-sync-reconcile.ts';
import { type BackupDeps, BackupReconciler, backupWorkflowName } from './reconcile.ts';
import { ANNOTATION_TAKEN_BY_WORKFLOW } from './safety-backup.ts';
import { ScheduleReconciler } from './schedule-reconcile.ts';

export function backupControllers(
  ctx: OperatorContext,
  caches: Caches,
  deps: BackupDeps,
  clock: Clock = systemClock,
): Controller[] {
  const backups = new BackupReconciler({
    rest: ctx.rest,
    backups: caches.backups,
    instances: caches.instances,
    storages: caches.storages,
    workflows: caches.workflows,
    deps,
    events: ctx.events,
    log: ctx.log,
  });
  const backupController = new Controller({
    name: 'middlewarebackup',
    log: ctx.log,
    registry: ctx.registry,
    reconcile: (key) => backups.reconcile(key),
  });
  caches.backups.on((_t, b) => backupController.enqueue(objectKey(b)));
  caches.workflows.on((_t, wf) => {
    const ns = wf.metadata?.namespace;
    const name = wf.metadata?.name;
    for (const b of caches.backups.list(ns)) {
      // Its own workflow, or the one whose step takes it (an in-place restore's safety backup).
      if (
        backupWorkflowName(b.metadata.name!) === name ||
        b.status?.workflow === name ||
        b.metadata.annotations?.[ANNOTATION_TAKEN_BY_WORKFLOW] === name
      )
        backupController.enqueue(objectKey(b));
    }
  });

  const schedules = new ScheduleReconciler({
    rest: ctx.rest,
    instances: caches.instances,
    backups: caches.backups,
    workflows: caches.workflows,
    storages: caches.storages,
    deps,
    events: ctx.events,
    log: ctx.log,
    clock,
  });
  const scheduleController = new Controller({
    name: 'backupschedule',
    log: ctx.log,
    registry: ctx.registry,
    reconcile: (key) => schedules.reconcile(key),
    queue: new WorkQueue({ clock }),
  });
  caches.instances.on((_t, i) => {
    if (i.spec.backup) scheduleController.enqueue(objectKey(i));
  });
  caches.backups.on((_t, b) => {
    if (b.metadata.namespace)
      scheduleController.enqueue(`${b.metadata.namespace}/${b.spec.instanceRef.name}`);
  });
  const controllers = [backupController, scheduleController];
  if (ctx.config.backupCatalogSyncMs > 0) controllers.push(catalogSyncController(ctx, caches, clock));
  return controllers;
}

/** --backup-catalog-sync-interval: each BackupStorage's catalog on creation, then every interval. */
function catalogSyncController(ctx: OperatorContext, caches: Caches, clock: Clock): Controller {
  const sync = new CatalogSyncReconciler({
    rest: ctx.rest,
    storages: caches.storages,
    backups: caches.backups,
    events: ctx.events,
    log: ctx.log,
    namespaces: ctx.config.namespaces,
    intervalMs: ctx.config.backupCatalogSyncMs,
  });
  const controller = new Controller({
    name: 'backupcatalogsync',
    log: ctx.log,
    registry: ctx.registry,
    reconcile: (key) => sync.reconcile(key),
    queue: new WorkQueue({ clock }),
    workers: 1,
  });
  caches.storages.on((event, s) => {
    // A new storage, or a changed spec (another bucket or prefix): sync now; status writes are not changes.
    if (event === 'delete') return;
    if (event === 'update' && s.status?.observedGeneration === s.metadata.generation) return;
    controller.enqueue(objectKey(s));
  });
  return controller;
}
