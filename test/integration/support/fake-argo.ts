// The tests play Argo's part (there is no workflow-controller in this environment): they do what
// a workflow's steps would have done, then write the Workflow status Argo would write.
import type { KubernetesObject } from '@kubernetes/client-node';
import { mergePatch } from '../../../src/kube/apply.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';
import { eventually } from './cluster.ts';

export interface WorkflowObj extends KubernetesObject {
  spec: { entrypoint?: string; templates?: { name: string; dag?: { tasks: { name: string }[] } }[] };
  status?: Record<string, unknown>;
}

export function workflowPath(namespace: string, name?: string): string {
  return resourcePath('argoproj.io/v1alpha1', 'Workflow', name ? { namespace, name } : { namespace });
}

export async function listWorkflows(
  rest: KubeRest,
  namespace: string,
  selector?: string,
): Promise<WorkflowObj[]> {
  const list = await rest.get<{ items: WorkflowObj[] }>(workflowPath(namespace), {
    query: { labelSelector: selector },
  });
  return list.items;
}

/** Waits for the workflow of an operation (by the mwop.dev/operation label) and returns it. */
export async function awaitWorkflow(
  rest: KubeRest,
  namespace: string,
  instance: string,
  slug: string,
): Promise<WorkflowObj> {
  return eventually(`a ${slug} workflow for ${instance}`, async () => {
    const items = await listWorkflows(
      rest,
      namespace,
      `mwop.dev/instance=${instance},mwop.dev/operation=${slug}`,
    );
    return items.find((w) => !w.status?.phase);
  });
}

function tasksOf(wf: WorkflowObj): string[] {
  const entry = wf.spec.templates?.find((t) => t.name === (wf.spec.entrypoint ?? 'main'));
  return (entry?.dag?.tasks ?? []).map((t) => t.name);
}

/** Writes the status Argo writes when a workflow ends; `failAt` fails that task with `message`. */
export async function finishWorkflow(
  rest: KubeRest,
  wf: WorkflowObj,
  outcome:
    | { phase: 'Succeeded' }
    | { phase: 'Failed'; failAt: string; message: string }
    | { phase: 'Running' },
): Promise<void> {
  const name = wf.metadata!.name!;
  const now = new Date().toISOString();
  const tasks = tasksOf(wf);
  const failIndex = outcome.phase === 'Failed' ? tasks.findIndex((t) => t.startsWith(outcome.failAt)) : -1;
  if (outcome.phase === 'Failed' && failIndex < 0) {
    throw new Error(
      `workflow ${name} has no task starting with ${outcome.failAt}; tasks: ${tasks.join(', ')}`,
    );
  }
  const nodes: Record<string, unknown> = {
    [name]: { id: name, name, displayName: name, type: 'DAG', phase: outcome.phase, templateName: 'main' },
  };
  tasks.forEach((task, i) => {
    if (outcome.phase === 'Running' && i > 0) return;
    if (failIndex >= 0 && i > failIndex) return;
    const failed = i === failIndex;
    const phase = outcome.phase === 'Running' ? 'Running' : failed ? 'Failed' : 'Succeeded';
    nodes[`${name}-${i}`] = {
      id: `${name}-${i}`,
      name: `${name}.${task}`,
      displayName: task,
      type: 'Pod',
      boundaryID: name,
      phase,
      startedAt: now,
      ...(phase !== 'Running' ? { finishedAt: now } : {}),
      ...(failed && outcome.phase === 'Failed' ? { message: outcome.message } : {}),
    };
  });
  await mergePatch(rest, wf, {
    status: {
      phase: outcome.phase,
      startedAt: now,
      ...(outcome.phase !== 'Running' ? { finishedAt: now } : {}),
      ...(outcome.phase === 'Failed' ? { message: `child '${name}-${failIndex}' failed` } : {}),
      nodes,
    },
  });
}
