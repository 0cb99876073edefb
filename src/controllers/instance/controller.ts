// Wires the instance reconciler to the shared caches and a work queue. Events on the children
// (StatefulSet, Pods, Workflows) wake the owning instance through the mwop.dev/instance label;
// a MiddlewareBackup that starts or ends wakes the instance it names.
import type { KubernetesObject } from '@kubernetes/client-node';
import { AppliedMemo } from '../../kube/applied-memo.ts';
import { Controller } from '../../kube/controller.ts';
import { objectKey } from '../../kube/informer.ts';
import type { Caches } from '../../operator/caches.ts';
import type { OperatorContext } from '../../operator/context.ts';
import { instanceToWakeForBackup } from './backup-events.ts';
import type { InstanceDeps } from './deps.ts';
import { LABEL_INSTANCE } from './names.ts';
import { InstanceReconciler } from './reconcile.ts';

export function instanceController(ctx: OperatorContext, caches: Caches, deps: InstanceDeps): Controller {
  const reconciler = new InstanceReconciler({
    rest: ctx.rest,
    deps,
    events: ctx.events,
    log: ctx.log,
    caches,
    applied: new AppliedMemo(),
  });
  const controller = new Controller({
    name: 'middlewareinstance',
    log: ctx.log,
    registry: ctx.registry,
    // I/O bound: a reconcile mostly waits for the apiserver (issue #13: resync of 1,000 instances).
    workers: 8,
    reconcile: (key) => reconciler.reconcile(key),
  });
  caches.instances.on((_type, obj) => controller.enqueue(objectKey(obj)));
  const toOwner = (_type: string, obj: KubernetesObject) => {
    const owner = obj.metadata?.labels?.[LABEL_INSTANCE];
    if (owner && obj.metadata?.namespace) controller.enqueue(`${obj.metadata.namespace}/${owner}`);
  };
  caches.statefulSets.on(toOwner);
  caches.pods.on(toOwner);
  caches.workflows.on(toOwner);
  caches.backups.on((type, backup, old) => {
    const key = instanceToWakeForBackup(type, backup, old);
    if (key) controller.enqueue(key);
  });
  // A type published while we run makes waiting instances of that type resolvable at once.
  caches.types.on((_type, t) => {
    for (const inst of caches.instances.list())
      if (inst.spec.type === t.metadata?.name) controller.enqueue(objectKey(inst));
  });
  return controller;
}
