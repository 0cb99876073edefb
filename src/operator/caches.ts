// One cache per kind, shared by every controller (a second informer on the same kind would double
// the memory and the watch traffic).
import type { V1Pod, V1StatefulSet, V1StorageClass } from '@kubernetes/client-node';
import type {
  BackupStorage,
  MiddlewareBackup,
  MiddlewareInstance,
  MiddlewareOperation,
  MiddlewareType,
} from '../api/index.ts';
import type { WorkflowLike } from '../controllers/instance/deps.ts';
import { Informer } from '../kube/informer.ts';
import { InformerSet } from '../kube/informer-set.ts';
import { ENTRYPOINT } from '../workflows/workflow.ts';
import type { OperatorContext } from './context.ts';

const LABEL_INSTANCE = 'mwop.dev/instance';

/** Pods: the cache keeps metadata and status only; specs are large and never read. */
function slimPod(pod: V1Pod): V1Pod {
  return { apiVersion: pod.apiVersion, kind: pod.kind, metadata: pod.metadata, status: pod.status };
}

/**
 * StatefulSets: the instance reconciler reads the generation, spec.replicas, the claim templates
 * and status; the pod template, most of the object, is never read (issue #13).
 */
export function slimStatefulSet(sts: V1StatefulSet): V1StatefulSet {
  return {
    apiVersion: sts.apiVersion,
    kind: sts.kind,
    metadata: sts.metadata,
    spec: {
      replicas: sts.spec?.replicas,
      volumeClaimTemplates: sts.spec?.volumeClaimTemplates,
    } as V1StatefulSet['spec'],
    status: sts.status,
  };
}

type WorkflowSpecRead = {
  entrypoint?: string;
  shutdown?: string;
  activeDeadlineSeconds?: number;
  templates?: Array<{ name?: string; dag?: { tasks?: Array<{ name: string }> } }>;
};

/**
 * Workflows: the mirror (src/workflows/mirror.ts) reads the entry DAG's task names, the
 * entrypoint, shutdown and the deadline from spec, and the status. The tasks' arguments (a
 * create's whole StatefulSet manifest, for one) and the templates Argo stores in status are never
 * read once the workflow exists (issue #13).
 */
export function slimWorkflow(wf: WorkflowLike): WorkflowLike {
  const spec = (wf.spec ?? {}) as WorkflowSpecRead;
  const entry = spec.entrypoint ?? ENTRYPOINT;
  const { storedTemplates: _t, storedWorkflowTemplateSpec: _s, ...status } = wf.status ?? {};
  const kept: WorkflowSpecRead = {
    ...(spec.entrypoint !== undefined ? { entrypoint: spec.entrypoint } : {}),
    ...(spec.shutdown !== undefined ? { shutdown: spec.shutdown } : {}),
    ...(spec.activeDeadlineSeconds !== undefined
      ? { activeDeadlineSeconds: spec.activeDeadlineSeconds }
      : {}),
    templates: (spec.templates ?? [])
      .filter((t) => t.name === entry)
      .map((t) => ({
        name: t.name,
        ...(t.dag ? { dag: { tasks: (t.dag.tasks ?? []).map((task) => ({ name: task.name })) } } : {}),
      })),
  };
  return {
    apiVersion: wf.apiVersion,
    kind: wf.kind,
    metadata: wf.metadata,
    spec: kept,
    ...(wf.status ? { status } : {}),
  };
}

export function createCaches(ctx: OperatorContext) {
  const { rest, config, log } = ctx;
  const onError = (err: unknown, where: string) =>
    log.warn({ err: (err as Error).message, where }, 'informer error');
  const ns = config.namespaces;
  const child = { rest, labelSelector: LABEL_INSTANCE, onError };
  const caches = {
    types: new Informer<MiddlewareType>({
      rest,
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareType',
      onError,
    }),
    storages: new Informer<BackupStorage>({
      rest,
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'BackupStorage',
      onError,
    }),
    instances: new InformerSet<MiddlewareInstance>(ns, {
      rest,
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareInstance',
      labelSelector: config.labelSelector,
      onError,
    }),
    backups: new InformerSet<MiddlewareBackup>(ns, {
      rest,
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareBackup',
      onError,
    }),
    operations: new InformerSet<MiddlewareOperation>(ns, {
      rest,
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareOperation',
      onError,
    }),
    statefulSets: new InformerSet<V1StatefulSet>(ns, {
      ...child,
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      transform: slimStatefulSet,
    }),
    pods: new InformerSet<V1Pod>(ns, { ...child, apiVersion: 'v1', kind: 'Pod', transform: slimPod }),
    workflows: new InformerSet<WorkflowLike>(ns, {
      ...child,
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      transform: slimWorkflow,
    }),
    storageClasses: new Informer<V1StorageClass>({
      rest,
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      onError,
    }),
  };
  return {
    ...caches,
    async start() {
      await Promise.all(Object.values(caches).map((c) => c.start()));
    },
    async stop() {
      await Promise.all(Object.values(caches).map((c) => c.stop()));
    },
  };
}

export type Caches = ReturnType<typeof createCaches>;
