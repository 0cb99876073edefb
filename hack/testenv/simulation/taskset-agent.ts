// Plays Argo's HTTP agent (argoexec agent): Argo's controller writes each HTTP step of a workflow
// into the WorkflowTaskSet of the same name and starts an agent pod; the agent makes the calls
// and writes each result into the task set's status.nodes. Here there is no pod network to call
// into, so every call answers as a healthy hook agent would (200 with an ok HookResponse), unless
// the test marks the step (faults.ts): a failed step answers like a refused hook, with the
// message in the body, as the reference agents do (docs/hook-api.yaml).
import type { Obj, SimKube } from './kube.ts';
import type { StepLog } from './workflow-pods.ts';
import { stepOutcome } from './workflow-pods.ts';

const GROUP = '/apis/argoproj.io/v1alpha1';

/** The node results to write for the task set's calls that have none yet (hanging ones excluded). */
export async function answerTaskSet(kube: SimKube, taskSet: Obj, log: StepLog): Promise<void> {
  const ns = taskSet.metadata.namespace as string;
  const name = taskSet.metadata.name;
  const tasks = Object.keys((taskSet.spec?.tasks ?? {}) as Record<string, unknown>);
  const done = (taskSet.status?.nodes ?? {}) as Record<string, unknown>;
  const pending = tasks.filter((id) => done[id] === undefined);
  if (pending.length === 0) return;
  const wf = await kube.get(`${GROUP}/namespaces/${ns}/workflows/${name}`);
  const nodes = (wf?.status?.nodes ?? {}) as Record<string, { name?: string }>;
  const results: Record<string, unknown> = {};
  for (const id of pending) {
    // Argo writes the task set before the workflow status that names the node: wait for the name,
    // or a fault rule for the step could not match.
    const node = nodes[id]?.name;
    if (!node) continue;
    const outcome = await stepOutcome(kube, ns, name, node);
    if (outcome.kind === 'hang') continue;
    if (outcome.kind === 'fail') {
      results[id] = {
        phase: 'Failed',
        message: 'received non-2xx response code: 409',
        outputs: { result: JSON.stringify({ ok: false, reason: 'Refused', message: outcome.message }) },
      };
      log(`${ns}/${node}: HTTP call refused (sim.mwop.dev/steps): ${outcome.message}`);
    } else {
      results[id] = {
        phase: 'Succeeded',
        outputs: { result: JSON.stringify({ ok: true, message: 'simulated hook agent: ok' }) },
      };
      log(`${ns}/${node}: HTTP call ok`);
    }
  }
  if (Object.keys(results).length === 0) return;
  // As the agent does it: a merge patch of the status, with the workflow's ServiceAccount (its
  // RBAC allows exactly this).
  const sa = (wf?.spec?.serviceAccountName as string | undefined) ?? 'default';
  const asAgent = (await kube.as(ns, sa)).rest;
  await asAgent.patch(
    `${GROUP}/namespaces/${ns}/workflowtasksets/${name}/status`,
    { status: { nodes: results } },
    'application/merge-patch+json',
  );
}
