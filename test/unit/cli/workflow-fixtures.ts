// Argo Workflow objects in the shape the controller writes them, for the DAG view tests.
import type { WorkflowLike, WorkflowNode } from '../../../src/cli/dag-view.ts';

const t0 = '2026-01-01T03:00:00Z';
const at = (s: number) => new Date(Date.parse(t0) + s * 1000).toISOString().replace('.000Z', 'Z');

function node(
  wf: string,
  path: string,
  phase: string,
  extra: Partial<WorkflowNode> = {},
): [string, WorkflowNode] {
  const id = `${wf}-${path.replace(/\./g, '-')}`;
  return [
    id,
    {
      id,
      name: `${wf}.${path}`,
      displayName: path.split('.').pop() as string,
      type: 'Pod',
      phase,
      boundaryID: wf,
      ...extra,
    },
  ];
}

/** create: render -> apply -> wait-ready -> init-0 + init-1 (parallel) -> post-check. */
export function createWorkflow(
  phases: Record<string, string>,
  messages: Record<string, string> = {},
): WorkflowLike {
  const wf = 'cache-create-g1';
  const tasks = [
    { name: 'render-config', template: 'render' },
    { name: 'apply-objects', template: 'apply', dependencies: ['render-config'] },
    { name: 'wait-ready', template: 'wait', dependencies: ['apply-objects'] },
    { name: 'init-0', template: 'hook', depends: 'wait-ready.Succeeded' },
    { name: 'init-1', template: 'hook', depends: 'wait-ready.Succeeded' },
    { name: 'post-check', template: 'check', depends: 'init-0 && init-1' },
  ];
  const nodes: Record<string, WorkflowNode> = {
    [wf]: { id: wf, name: wf, displayName: wf, type: 'DAG', phase: phases.$workflow ?? 'Running' },
  };
  let s = 0;
  for (const t of tasks) {
    const phase = phases[t.name];
    if (!phase) continue;
    const [id, n] = node(wf, t.name, phase, {
      startedAt: at(s),
      ...(phase === 'Running' ? {} : { finishedAt: at(s + 4) }),
      ...(messages[t.name] ? { message: messages[t.name] } : {}),
    });
    nodes[id] = n;
    s += 5;
  }
  return {
    metadata: { name: wf },
    spec: {
      entrypoint: 'main',
      templates: [
        { name: 'main', dag: { tasks } },
        { name: 'render' },
        { name: 'apply' },
        { name: 'wait' },
        { name: 'hook' },
        { name: 'check' },
      ],
    },
    status: { phase: phases.$workflow ?? 'Running', nodes },
  };
}
