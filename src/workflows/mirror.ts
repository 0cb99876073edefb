// Workflow status -> operation status, for instance.status.operations and MiddlewareOperation
// status. Progress counts the operation's own DAG tasks (what the planner emitted), not Argo's
// internal nodes, so "3/7" means three of the seven steps a user sees in the Argo UI.

import type { NodeStatus, Workflow } from './argo-types.ts';
import { nodesOf } from './compressed-nodes.ts';
import { ENTRYPOINT } from './workflow.ts';

export type OperationPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';

/** Field for field a subset of OperationRecord (instance status) and MiddlewareOperation status. */
export interface OperationStatus {
  phase: OperationPhase;
  progress?: string;
  failedStep?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

const WORK_TYPES = new Set(['Pod', 'Container', 'HTTP', 'Plugin']);
const DONE = new Set(['Succeeded', 'Skipped', 'Omitted']);
const FAILED = new Set(['Failed', 'Error']);

export function isShutdownMessage(message: string | undefined): boolean {
  return /^Stopped with strategy '(Terminate|Stop)'/.test(message ?? '');
}

export function isDeadlineMessage(message: string | undefined): boolean {
  return /exceeded its deadline|Deadline exceeded|exceeded workflow deadline|Max duration limit exceeded|DeadlineExceeded/i.test(
    message ?? '',
  );
}

function taskNames(wf: Workflow): Set<string> {
  const entry = wf.spec.templates?.find((t) => t.name === (wf.spec.entrypoint ?? ENTRYPOINT));
  return new Set((entry?.dag?.tasks ?? []).map((t) => t.name));
}

/** The message a hook agent put in its JSON answer, when the node has one. */
function hookAnswer(node: NodeStatus): { message?: string; reason?: string } {
  const raw = node.outputs?.result;
  if (!raw) return {};
  try {
    const body = JSON.parse(raw) as { message?: unknown; reason?: unknown };
    return {
      ...(typeof body.message === 'string' ? { message: body.message } : {}),
      ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
    };
  } catch {
    return { message: raw.slice(0, 500) };
  }
}

function describeFailure(node: NodeStatus): string {
  const base = node.message ?? `${node.phase?.toLowerCase() ?? 'failed'}`;
  if (node.type !== 'HTTP') return base;
  const url = node.inputs?.parameters?.find((p) => p.name === 'url')?.value;
  const code = /response code: (\d+)/.exec(base)?.[1];
  const answer = hookAnswer(node);
  const what = url ? `hook ${url}` : 'hook';
  if (code) {
    return `${what} answered ${code}${answer.reason ? ` (${answer.reason})` : ''}${answer.message ? `: ${answer.message}` : ''}`;
  }
  return `${what}: ${base}`;
}

/** The failed work node that caused the failure (deepest, earliest), and the top-level task it belongs to. */
function failure(wf: Workflow, nodes: Record<string, NodeStatus>) {
  const tasks = taskNames(wf);
  const parent = new Map<string, string>();
  for (const n of Object.values(nodes)) for (const c of n.children ?? []) parent.set(c, n.id);
  const failedWork = Object.values(nodes)
    .filter((n) => WORK_TYPES.has(n.type) && FAILED.has(n.phase ?? ''))
    .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.id.localeCompare(b.id));
  const leaf = failedWork.find((n) => !isShutdownMessage(n.message)) ?? failedWork[0];
  const failedTask = Object.values(nodes)
    .filter(
      (n) => tasks.has(n.displayName ?? '') && n.boundaryID === wf.metadata.name && FAILED.has(n.phase ?? ''),
    )
    .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''))[0];
  let top: string | undefined;
  for (let id: string | undefined = leaf?.id; id; id = parent.get(id)) {
    const n = nodes[id];
    if (n && tasks.has(n.displayName ?? '') && n.boundaryID === wf.metadata.name) top = n.displayName;
  }
  return { leaf, step: top ?? failedTask?.displayName ?? leaf?.displayName };
}

export function mirrorWorkflow(wf: Workflow): OperationStatus {
  const status = wf.status;
  const nodes = nodesOf(status);
  const tasks = taskNames(wf);
  const done = Object.values(nodes).filter(
    (n) => tasks.has(n.displayName ?? '') && n.boundaryID === wf.metadata.name && DONE.has(n.phase ?? ''),
  ).length;
  const out: OperationStatus = { phase: 'Pending' };
  if (tasks.size > 0) out.progress = `${done}/${tasks.size}`;
  if (status?.startedAt) out.startedAt = status.startedAt;
  if (status?.finishedAt) out.finishedAt = status.finishedAt;

  switch (status?.phase) {
    case undefined:
    case '':
    case 'Pending':
      out.phase = 'Pending';
      break;
    case 'Running':
      out.phase = 'Running';
      if (wf.spec.shutdown) out.message = `stopping (spec.shutdown: ${wf.spec.shutdown})`;
      break;
    case 'Succeeded':
      out.phase = 'Succeeded';
      break;
    case 'Failed':
    case 'Error': {
      if (isShutdownMessage(status.message) || (wf.spec.shutdown && !isDeadlineMessage(status.message))) {
        out.phase = 'Cancelled';
        out.message = `cancelled: ${status.message ?? `spec.shutdown: ${wf.spec.shutdown}`}`;
        break;
      }
      out.phase = 'Failed';
      const { leaf, step } = failure(wf, nodes);
      if (step) out.failedStep = step;
      const detail = leaf ? describeFailure(leaf) : status.message;
      if (isDeadlineMessage(status.message) || isDeadlineMessage(leaf?.message)) {
        const limit = wf.spec.activeDeadlineSeconds;
        out.message = `timed out: the operation ran longer than activeDeadlineSeconds${limit === undefined ? '' : ` (${limit}s)`}${step ? ` during step ${step}` : ''}${detail ? `: ${detail}` : ''}`;
      } else {
        out.message = detail ?? 'the workflow failed without a message';
      }
      break;
    }
  }
  if (status?.offloadNodeStatusVersion && Object.keys(nodes).length === 0 && out.phase === 'Failed') {
    out.message = `${out.message ?? 'failed'} (node details are offloaded to Argo's database; see the Argo UI)`;
  }
  return out;
}
