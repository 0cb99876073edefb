import { Controller } from '../../kube/controller.ts';
import { objectKey } from '../../kube/informer.ts';
import type { Caches } from '../../operator/caches.ts';
import type { OperatorContext } from '../../operator/context.ts';
import { type OperationDeps, OperationReconciler } from './reconcile.ts';

export function operationController(ctx: OperatorContext, caches: Caches, deps: OperationDeps): Controller {
  const reconciler = new OperationReconciler({
    rest: ctx.rest,
    operations: caches.operations,
    instances: caches.instances,
    workflows: caches.workflows,
    deps,
    events: ctx.events,
    log: ctx.log,
  });
  const controller = new Controller({
    name: 'middlewareoperation',
    log: ctx.log,
    registry: ctx.registry,
    reconcile: (key) => reconciler.reconcile(key),
  });
  caches.operations.on((_type, obj) => controller.enqueue(objectKey(obj)));
  // Operations run workflows named after themselves; their events wake the operation.
  caches.workflows.on((_type, wf) => {
    const ns = wf.metadata?.namespace;
    const name = wf.metadata?.name;
    if (ns && name && caches.operations.get(ns, name)) controller.enqueue(`${ns}/${name}`);
  });
  return controller;
}
