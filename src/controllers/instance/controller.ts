// Wires the instance reconciler to its caches and the work queue. Events on the children
// (StatefulSet, Pods, Workflows) wake the owning instance through the mwop.dev/instance label.
import type { KubernetesObject, V1Pod, V1StatefulSet, V1StorageClass } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../../api/index.ts';
import { Controller } from '../../kube/controller.ts';
import { Informer, objectKey } from '../../kube/informer.ts';
import { InformerSet } from '../../kube/informer-set.ts';
import type { OperatorContext, Runnable } from '../../operator/context.ts';
import type { InstanceDeps, WorkflowLike } from './deps.ts';
import { LABEL_INSTANCE } from './names.ts';
import { InstanceReconciler } from './reconcile.ts';

/** Pods: the cache keeps metadata and status only; specs are large and never read here. */
function slimPod(pod: V1Pod): V1Pod {
  return { apiVersion: pod.apiVersion, kind: pod.kind, metadata: pod.metadata, status: pod.status };
}

export function instanceController(
  ctx: OperatorContext,
  deps: InstanceDeps,
): Runnable & { controller: Controller } {
  const { rest, config, log } = ctx;
  const onError = (err: unknown, where: string) =>
    log.warn({ err: (err as Error).message, where }, 'informer error');
  const instances = new InformerSet<MiddlewareInstance>(config.namespaces, {
    rest,
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    labelSelector: config.labelSelector,
    onError,
  });
  const childOpts = { rest, labelSelector: LABEL_INSTANCE, onError };
  const statefulSets = new InformerSet<V1StatefulSet>(config.namespaces, {
    ...childOpts,
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
  });
  const pods = new InformerSet<V1Pod>(config.namespaces, {
    ...childOpts,
    apiVersion: 'v1',
    kind: 'Pod',
    transform: slimPod,
  });
  const workflows = new InformerSet<WorkflowLike>(config.namespaces, {
    ...childOpts,
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
  });
  const storageClasses = new Informer<V1StorageClass>({
    rest,
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    onError,
  });

  const reconciler = new InstanceReconciler({
    rest,
    deps,
    events: ctx.events,
    log,
    caches: { instances, statefulSets, pods, workflows, storageClasses },
  });
  const controller = new Controller({
    name: 'middlewareinstance',
    log,
    registry: ctx.registry,
    workers: 4,
    reconcile: (key) => reconciler.reconcile(key),
  });

  instances.on((_type, obj) => controller.enqueue(objectKey(obj)));
  const toOwner = (_type: string, obj: KubernetesObject) => {
    const owner = obj.metadata?.labels?.[LABEL_INSTANCE];
    if (owner && obj.metadata?.namespace) controller.enqueue(`${obj.metadata.namespace}/${owner}`);
  };
  statefulSets.on(toOwner);
  pods.on(toOwner);
  workflows.on(toOwner);

  const all = [instances, statefulSets, pods, workflows, storageClasses];
  return {
    name: 'middlewareinstance',
    controller,
    async start() {
      await Promise.all(all.map((i) => i.start()));
      controller.start();
    },
    async stop(graceMs) {
      await controller.stop(graceMs);
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}
