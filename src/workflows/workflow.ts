// Wraps an operation's steps into a Workflow with its identity (deterministic name, labels,
// ownerReference), its deadline and its garbage collection, so that no workflow outlives its
// usefulness (argo-workflows #12802) and none needs finalizer surgery (no finalizers are set).
import { API_VERSION } from '../api/index.ts';
import { ARGO_API_VERSION, type Workflow } from './argo-types.ts';
import type { PlanContext } from './context.ts';
import { type Step, toTasks } from './dag.ts';
import {
  ANNOTATION_PARAMETERS,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_OPERATION,
  LABEL_TYPE,
  slugOf,
  WORKFLOW_SERVICE_ACCOUNT,
  workflowName,
} from './names.ts';
import type { WorkflowOperation } from './operations.ts';

/** Finished workflows stay long enough to be mirrored and inspected, then go. */
export const TTL = { secondsAfterSuccess: 3600, secondsAfterFailure: 7 * 24 * 3600 } as const;

export const ENTRYPOINT = 'main';

export function buildWorkflow(
  ctx: PlanContext,
  op: WorkflowOperation,
  steps: Step[],
  defaultDeadlineSeconds: number,
): Workflow {
  const tasks = toTasks(steps);
  if (tasks.length === 0) {
    throw new Error(
      `${op.kind} of ${ctx.namespace}/${ctx.name} has no steps: the type declares none of the hooks it needs`,
    );
  }
  const slug = slugOf(op.kind);
  const name = ctx.observed.name ?? workflowName(ctx.name, slug, ctx.instance.metadata.generation ?? 0);
  const labels = {
    [LABEL_INSTANCE]: ctx.name,
    [LABEL_OPERATION]: slug,
    [LABEL_TYPE]: ctx.plugin.typeName,
    [LABEL_MANAGED_BY]: 'mwop',
  };
  const uid = ctx.instance.metadata.uid;
  return {
    apiVersion: ARGO_API_VERSION,
    kind: 'Workflow',
    metadata: {
      name,
      namespace: ctx.namespace,
      labels,
      annotations: { [ANNOTATION_PARAMETERS]: JSON.stringify(op) },
      // Without a uid (a dry run) there is nothing to own it; the TTL still collects it.
      ...(uid
        ? {
            ownerReferences: [
              {
                apiVersion: API_VERSION,
                kind: 'MiddlewareInstance',
                name: ctx.name,
                uid,
                controller: true,
                blockOwnerDeletion: false,
              },
            ],
          }
        : {}),
    },
    spec: {
      entrypoint: ENTRYPOINT,
      serviceAccountName: WORKFLOW_SERVICE_ACCOUNT,
      activeDeadlineSeconds: ctx.observed.activeDeadlineSeconds ?? defaultDeadlineSeconds,
      ttlStrategy: { ...TTL },
      podGC: { strategy: 'OnPodSuccess' },
      workflowMetadata: { labels },
      templates: [{ name: ENTRYPOINT, dag: { tasks } }],
    },
  };
}
