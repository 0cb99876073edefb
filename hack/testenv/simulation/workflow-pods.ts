// Plays argoexec for workflow step pods on kwok's simulated nodes. kwok has made the pod Running;
// this reads the step's template (ARGO_TEMPLATE on the init container, or the ConfigMap Argo
// offloads a large one to), does the step's work, reports its outputs as a WorkflowTaskResult the
// way the wait container would, and then annotates the pod with its exit code and message. The
// kwok Stages in stages.yaml turn that annotation into a Succeeded or Failed pod, which Argo's
// controller reads as it reads any finished pod.
//   resource templates   kubectl with the pod's ServiceAccount (resource-template.ts)
//   container templates  mwop's own images run on the host (host-command.ts); others are
//                        simulated: they succeed, and their output parameters take their defaults
// A test can fail or hang any step (faults.ts).
import { ANNOTATION_STEPS, outcomeFor, parseRules, type StepOutcome } from './faults.ts';
import { type OutputParameter, runOnHost, runsOnHost } from './host-command.ts';
import type { Obj, SimKube } from './kube.ts';
import { type ResourceTemplate, runResourceTemplate } from './resource-template.ts';

export const ANNOTATION_EXIT_CODE = 'sim.mwop.dev/exit-code';
export const ANNOTATION_MESSAGE = 'sim.mwop.dev/message';
const LABEL_WORKFLOW = 'workflows.argoproj.io/workflow';
const LABEL_COMPONENT = 'workflows.argoproj.io/component';
const ANNOTATION_NODE_ID = 'workflows.argoproj.io/node-id';
const ANNOTATION_NODE_NAME = 'workflows.argoproj.io/node-name';
const OFFLOADED = 'offloaded';

interface Template {
  name?: string;
  resource?: ResourceTemplate;
  container?: { image?: string; command?: string[]; args?: string[] };
  outputs?: { parameters?: OutputParameter[] };
}

export type StepLog = (line: string) => void;

async function templateOf(kube: SimKube, pod: Obj): Promise<Template> {
  const init = (pod.spec?.initContainers ?? []) as { env?: { name: string; value?: string }[] }[];
  const raw = init.flatMap((c) => c.env ?? []).find((e) => e.name === 'ARGO_TEMPLATE')?.value;
  if (raw === undefined) throw new Error(`pod ${pod.metadata.name} has no ARGO_TEMPLATE`);
  if (raw !== OFFLOADED) return JSON.parse(raw) as Template;
  const cm = await kube.get(`/api/v1/namespaces/${pod.metadata.namespace}/configmaps/${pod.metadata.name}`);
  const data = (cm as { data?: Record<string, string> } | undefined)?.data?.ARGO_TEMPLATE;
  if (!data) throw new Error(`pod ${pod.metadata.name}: the offloaded template ConfigMap is missing`);
  return JSON.parse(data) as Template;
}

export async function stepOutcome(
  kube: SimKube,
  namespace: string,
  workflow: string,
  node: string,
): Promise<StepOutcome> {
  const ns = await kube.get(`/api/v1/namespaces/${namespace}`);
  return outcomeFor(parseRules(ns?.metadata.annotations?.[ANNOTATION_STEPS]), workflow, node);
}

async function reportOutputs(
  kube: SimKube,
  pod: Obj,
  outputs: { name: string; value: string }[],
  exitCode: number,
) {
  const ns = pod.metadata.namespace as string;
  const nodeId = pod.metadata.annotations?.[ANNOTATION_NODE_ID] as string;
  // As the wait container does it: with the pod's ServiceAccount, so its RBAC is exercised too.
  const sa = (pod.spec?.serviceAccountName as string | undefined) ?? 'default';
  const result = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTaskResult',
    metadata: {
      name: nodeId,
      namespace: ns,
      labels: {
        [LABEL_WORKFLOW]: pod.metadata.labels?.[LABEL_WORKFLOW],
        'workflows.argoproj.io/report-outputs-completed': 'true',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid }],
    },
    outputs: { ...(outputs.length ? { parameters: outputs } : {}), exitCode: String(exitCode) },
  };
  const asPod = (await kube.as(ns, sa)).rest;
  try {
    await asPod.post(`/apis/argoproj.io/v1alpha1/namespaces/${ns}/workflowtaskresults`, result);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
  }
}

/**
 * Ends a step as argoexec's wait container and the kubelet would: the WorkflowTaskResult first
 * (Argo's controller keeps a finished node Running until its task result is reported complete),
 * then the exit code and message that kwok's Stages turn into a finished pod.
 */
async function finish(
  kube: SimKube,
  pod: Obj,
  exitCode: number,
  message: string,
  outputs: { name: string; value: string }[] = [],
): Promise<void> {
  await reportOutputs(kube, pod, outputs, exitCode);
  await kube.mergePatch(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, {
    metadata: {
      annotations: {
        [ANNOTATION_EXIT_CODE]: String(exitCode),
        // Argo shows a failed pod's status.message as the node's message (inferFailedReason).
        [ANNOTATION_MESSAGE]: message.slice(0, 1000),
      },
    },
  });
}

/**
 * Resolves when Argo would signal a hanging step's containers: the workflow was shut down
 * (spec.shutdown) or ran past its activeDeadlineSeconds; undefined when the pod went away first.
 */
async function stopRequested(
  kube: SimKube,
  ns: string,
  workflow: string,
  stillWanted: () => Promise<boolean>,
): Promise<string | undefined> {
  for (;;) {
    await new Promise((res) => setTimeout(res, 1000));
    if (!(await stillWanted())) return undefined;
    const wf = await kube.get(`/apis/argoproj.io/v1alpha1/namespaces/${ns}/workflows/${workflow}`);
    if (!wf) return undefined;
    if (wf.spec?.shutdown) return `workflow shutdown with strategy ${wf.spec.shutdown}`;
    const started = Date.parse(wf.status?.startedAt ?? '');
    const deadline = Number(wf.spec?.activeDeadlineSeconds);
    if (Number.isFinite(started) && deadline > 0 && Date.now() > started + deadline * 1000) {
      return `workflow exceeded its activeDeadlineSeconds (${deadline})`;
    }
  }
}

export function isStepPod(pod: Obj): boolean {
  return (
    pod.metadata.labels?.[LABEL_WORKFLOW] !== undefined &&
    pod.metadata.labels?.[LABEL_COMPONENT] !== 'agent' &&
    pod.metadata.annotations?.[ANNOTATION_EXIT_CODE] === undefined &&
    pod.metadata.deletionTimestamp === undefined &&
    pod.status?.phase === 'Running'
  );
}

/** Does one step pod's work and finishes it. Never throws: an error fails the step. */
export async function executeStepPod(
  kube: SimKube,
  pod: Obj,
  binDirs: string[],
  log: StepLog,
): Promise<void> {
  const ns = pod.metadata.namespace as string;
  const workflow = pod.metadata.labels?.[LABEL_WORKFLOW] as string;
  const node = pod.metadata.annotations?.[ANNOTATION_NODE_NAME] ?? pod.metadata.name;
  const podPath = `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`;
  const stillWanted = async () => {
    const cur = await kube.get(podPath);
    return cur !== undefined && cur.metadata.uid === pod.metadata.uid && !cur.metadata.deletionTimestamp;
  };
  try {
    const outcome = await stepOutcome(kube, ns, workflow, node);
    if (outcome.kind === 'hang') {
      log(`${ns}/${node}: hangs (${ANNOTATION_STEPS})`);
      const why = await stopRequested(kube, ns, workflow, stillWanted);
      if (!why) return;
      // Argo stops a running step by exec'ing a signal into its containers (pod.SignalContainer);
      // there is nothing to exec into on a simulated node, so the container "receives" it here.
      log(`${ns}/${node}: terminated (${why})`);
      await finish(kube, pod, 143, `terminated: ${why}`);
      return;
    }
    if (outcome.kind === 'fail') {
      log(`${ns}/${node}: fails (${ANNOTATION_STEPS}): ${outcome.message}`);
      await finish(kube, pod, 1, outcome.message);
      return;
    }
    const tmpl = await templateOf(kube, pod);
    const sa = (pod.spec?.serviceAccountName as string | undefined) ?? 'default';
    if (tmpl.resource) {
      const res = await runResourceTemplate(kube, ns, sa, tmpl.resource, stillWanted);
      log(`${ns}/${node}: resource ${tmpl.resource.action}: ${res.ok ? 'ok' : res.message}`);
      await finish(kube, pod, res.ok ? 0 : 1, res.ok ? '' : res.message);
      return;
    }
    const outputs = tmpl.outputs?.parameters ?? [];
    if (tmpl.container && runsOnHost(tmpl.container.image)) {
      const res = await runOnHost(kube, pod, tmpl.container, outputs, binDirs);
      log(`${ns}/${node}: ran ${tmpl.container.image} on the host: ${res.ok ? 'ok' : res.message}`);
      await finish(kube, pod, res.ok ? 0 : 1, res.message, res.outputs);
      return;
    }
    const defaults = outputs
      .filter((o) => o.valueFrom?.default !== undefined)
      .map((o) => ({ name: o.name, value: o.valueFrom?.default as string }));
    log(`${ns}/${node}: simulated ${tmpl.container?.image ?? tmpl.name}: ok`);
    await finish(kube, pod, 0, '', defaults);
  } catch (err) {
    const message = `simulated executor: ${(err as Error).message}`;
    log(`${ns}/${node}: ${message}`);
    await finish(kube, pod, 1, message).catch(() => {});
  }
}
