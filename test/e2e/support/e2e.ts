// What every e2e file needs: its own namespace with mwop installed and the real operator running
// for it, instances to create and watch, and a recorder of the exact phase sequence an instance
// goes through (a watch, so no short-lived phase is missed between two polls).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { mergePatch } from '../../../src/kube/apply.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import { Informer } from '../../../src/kube/informer.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import { eventually, useNamespace } from '../../integration/support/cluster.ts';
import { adminRest, installMwop } from '../../integration/support/install.ts';
import { startOperator } from '../../integration/support/operator.ts';

export { eventually };

export interface E2eNamespace {
  readonly name: string;
  readonly rest: KubeRest;
}

/** A namespace for this file, mwop installed, and the operator running for that namespace. */
export function e2eNamespace(prefix: string, operatorFlags: string[] = []): E2eNamespace {
  const ns = useNamespace(prefix);
  const rest = adminRest();
  let operator: RunningOperator | undefined;
  let templates: TemplatesUsed | undefined;
  beforeAll(async () => {
    await installMwop();
    templates = await watchTemplatesUsed(rest, ns.name);
    operator = await startOperator(ns.name, operatorFlags);
  });
  afterAll(async () => {
    await templates?.stop();
    await operator?.shutdown('test file done');
  });
  return { name: ns.name, rest };
}

export const instancePath = (namespace: string, name?: string) =>
  resourcePath('mwop.dev/v1alpha1', 'MiddlewareInstance', name ? { namespace, name } : { namespace });

/** A small Redis instance: redis v1, 7.2.11, one member, 1Gi, the small preset. */
export { redisInstance as redis } from '../../integration/backup/support.ts';

export async function getInstance(ns: E2eNamespace, name: string): Promise<MiddlewareInstance> {
  return ns.rest.get<MiddlewareInstance>(instancePath(ns.name, name));
}

export async function patchSpec(ns: E2eNamespace, name: string, spec: Partial<MiddlewareInstance['spec']>) {
  await mergePatch(
    ns.rest,
    { apiVersion: 'mwop.dev/v1alpha1', kind: 'MiddlewareInstance', metadata: { name, namespace: ns.name } },
    { spec },
  );
}

export async function phaseIs(ns: E2eNamespace, name: string, phase: string): Promise<MiddlewareInstance> {
  return eventually(
    `${ns.name}/${name} phase ${phase}`,
    async () => {
      const i = await getInstance(ns, name);
      return i.status?.phase === phase ? i : undefined;
    },
    { attempts: 1200, intervalMs: 200 },
  );
}

export interface PhaseRecorder {
  /** Every distinct phase in the order observed (consecutive repeats collapsed). */
  phases(): string[];
  /** Waits until the latest phase is `phase`, then returns the sequence since the recorder began. */
  until(phase: string, afterCount?: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** Watches one instance and records its phase sequence; start it before the change you test. */
export async function recordPhases(ns: E2eNamespace, name: string): Promise<PhaseRecorder> {
  const seen: string[] = [];
  let gone = false;
  const informer = new Informer<MiddlewareInstance>({
    rest: ns.rest,
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    namespace: ns.name,
  });
  informer.on((type, obj) => {
    if (obj.metadata?.name !== name) return;
    if (type === 'delete') {
      gone = true;
      return;
    }
    const phase = obj.status?.phase;
    if (phase && seen[seen.length - 1] !== phase) seen.push(phase);
  });
  await informer.start();
  return {
    phases: () => [...seen],
    async until(phase, afterCount = 1) {
      await eventually(
        `${ns.name}/${name} reaching ${phase} (seen so far: ${seen.join(' -> ') || 'nothing'})`,
        async () =>
          (seen[seen.length - 1] === phase && seen.length >= afterCount) ||
          (phase === 'deleted' && gone) ||
          undefined,
        { attempts: 1200, intervalMs: 200 },
      );
      return [...seen];
    },
    stop: () => informer.stop(),
  };
}

/** Marks steps of this namespace's workflows to fail or hang (hack/testenv/simulation/faults.ts). */
export async function markSteps(
  ns: E2eNamespace,
  rules: { step: string; outcome: 'fail' | 'hang'; message?: string; workflow?: string }[],
): Promise<void> {
  await mergePatch(
    ns.rest,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name } },
    { metadata: { annotations: { 'sim.mwop.dev/steps': rules.length ? JSON.stringify(rules) : null } } },
  );
}

export interface WorkflowNode {
  name: string;
  displayName?: string;
  type: string;
  phase?: string;
  message?: string;
  templateName?: string;
  templateRef?: { name: string; template: string };
  templateScope?: string;
}

export interface ArgoWorkflow {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { phase?: string; message?: string; nodes?: Record<string, WorkflowNode> };
}

export async function workflowsOf(
  ns: E2eNamespace,
  instance: string,
  operation?: string,
): Promise<ArgoWorkflow[]> {
  const selector = `mwop.dev/instance=${instance}${operation ? `,mwop.dev/operation=${operation}` : ''}`;
  const list = await ns.rest.get<{ items: ArgoWorkflow[] }>(
    resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace: ns.name }),
    { query: { labelSelector: selector } },
  );
  return list.items;
}

interface TemplatesUsed {
  /** Stops watching and writes what this namespace's workflows ran. */
  stop(): Promise<void>;
}

/**
 * Records the ClusterWorkflowTemplates (and their templates) that this namespace's workflows ran,
 * for templates-coverage.test.ts: every generated template must run at least once in the suite.
 * A watch, not a list at the end: deleting an instance garbage-collects its workflows.
 */
async function watchTemplatesUsed(rest: KubeRest, namespace: string): Promise<TemplatesUsed> {
  const used = new Set<string>();
  const informer = new Informer<ArgoWorkflow>({
    rest,
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    namespace,
  });
  informer.on((_type, wf) => {
    for (const node of Object.values(wf.status?.nodes ?? {})) {
      if (!node.phase || node.phase === 'Pending' || node.phase === 'Skipped' || node.phase === 'Omitted')
        continue;
      if (node.templateRef) used.add(`${node.templateRef.name}/${node.templateRef.template}`);
      // Templates a ClusterWorkflowTemplate calls inside itself carry only its scope.
      const scope = /^cluster\/(.+)$/.exec(node.templateScope ?? '')?.[1];
      if (scope && node.templateName) used.add(`${scope}/${node.templateName}`);
    }
  });
  await informer.start();
  return {
    async stop() {
      await informer.stop();
      const dir = templatesUsedDir();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${namespace}.txt`), [...used].sort().join('\n'));
    },
  };
}

export function templatesUsedDir(): string {
  return join(process.env.MWOP_E2E_RECORD_DIR ?? '/tmp/mwop-e2e', 'templates-used');
}

export interface ValueRecorder {
  /** Every distinct value in the order observed (consecutive repeats collapsed). */
  values(): string[];
  stop(): Promise<void>;
}

/**
 * Records one field of a StatefulSet as it changes (a watch), to show that a value a workflow set
 * is never put back by the operator (for example the image an upgrade rolled out).
 */
export async function recordStatefulSet(
  ns: E2eNamespace,
  name: string,
  pick: (sts: V1StatefulSet) => string | undefined,
): Promise<ValueRecorder> {
  const seen: string[] = [];
  const watch = await watchStatefulSet(ns, name, (sts) => {
    const v = sts && pick(sts);
    if (v !== undefined && seen[seen.length - 1] !== v) seen.push(v);
  });
  return { values: () => [...seen], stop: () => watch.stop() };
}

/** Calls `onChange` with every version of one StatefulSet (a watch), and undefined when it is deleted. */
export async function watchStatefulSet(
  ns: E2eNamespace,
  name: string,
  onChange: (sts: V1StatefulSet | undefined) => void,
): Promise<{ stop(): Promise<void> }> {
  const informer = new Informer<V1StatefulSet>({
    rest: ns.rest,
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    namespace: ns.name,
  });
  informer.on((type, sts) => {
    if (sts.metadata?.name === name) onChange(type === 'delete' ? undefined : sts);
  });
  await informer.start();
  return { stop: () => informer.stop() };
}

/** Running, nothing in flight, and the newest generation observed: the next change can start. */
export async function settled(ns: E2eNamespace, name: string): Promise<MiddlewareInstance> {
  return eventually(
    `${ns.name}/${name} settled (Running, no operation in flight)`,
    async () => {
      const i = await getInstance(ns, name);
      const ok =
        i.status?.phase === 'Running' &&
        !i.status.operations?.current &&
        (i.status.observedGeneration ?? 0) >= (i.metadata.generation ?? 0);
      return ok ? i : undefined;
    },
    { attempts: 1200, intervalMs: 200 },
  );
}
