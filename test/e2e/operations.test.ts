// No stuck operations: a running operation can be cancelled, and one that runs past its deadline
// fails on its own; either way the instance returns to a stable phase. Argo's real
// workflow-controller runs the workflows on kwok's simulated nodes; a step is made to hang with
// the namespace annotation sim.mwop.dev/steps (hack/testenv/simulation/faults.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareOperation } from '../../src/api/index.ts';
import { mergePatch } from '../../src/kube/apply.ts';
import { resourcePath } from '../../src/kube/gvr.ts';
import {
  e2eNamespace,
  eventually,
  getInstance,
  instancePath,
  markSteps,
  type PhaseRecorder,
  patchSpec,
  recordPhases,
  redis,
  workflowsOf,
} from './support/e2e.ts';

const ns = e2eNamespace('e2e-ops');
const NAME = 'queue';
let phases: PhaseRecorder;

const operationPath = (name?: string) =>
  resourcePath(
    'mwop.dev/v1alpha1',
    'MiddlewareOperation',
    name ? { namespace: ns.name, name } : { namespace: ns.name },
  );
const condition = async (type: string) =>
  (await getInstance(ns, NAME)).status?.conditions?.find((c) => c.type === type);

beforeAll(async () => {
  phases = await recordPhases(ns, NAME);
  await ns.rest.post(instancePath(ns.name), redis(ns.name, NAME));
  await phases.until('Running');
});
afterAll(async () => {
  await phases?.stop();
});

describe('operations that would otherwise be stuck', () => {
  it('cancel: a scale-out whose step hangs is terminated; the instance returns to Running, nothing applied', async () => {
    await markSteps(ns, [{ step: '*', outcome: 'hang', workflow: 'scale-out' }]);
    const from = phases.phases().length;
    await patchSpec(ns, NAME, { replicas: 2 });
    await phases.until('Scaling');
    await mergePatch(
      ns.rest,
      {
        apiVersion: 'mwop.dev/v1alpha1',
        kind: 'MiddlewareInstance',
        metadata: { name: NAME, namespace: ns.name },
      },
      { metadata: { annotations: { 'mwop.dev/cancel': 'true' } } },
    );
    const seen = await phases.until('Running', from + 2);
    expect(seen.slice(from - 1)).toEqual(['Running', 'Scaling', 'Running']);
    const cancelled = await eventually('OperationCancelled=True', async () => {
      const c = await condition('OperationCancelled');
      return c?.status === 'True' ? c : undefined;
    });
    expect(cancelled.message).toMatch(/^ScaleOut .* was cancelled/);
    const [wf] = await workflowsOf(ns, NAME, 'scale-out');
    expect(wf?.status?.phase).toBe('Failed');
    expect(wf?.status?.message).toMatch(/Stopped with strategy 'Terminate'/);
    const inst = await getInstance(ns, NAME);
    expect(inst.status?.applied?.replicas).toBe(1);
    expect(inst.status?.operations?.recent?.[0]).toMatchObject({ type: 'ScaleOut', phase: 'Cancelled' });
  });

  it('deadline: a restart whose steps hang fails when activeDeadlineSeconds passes; the instance returns to Running', async () => {
    await markSteps(ns, [{ step: '*', outcome: 'hang', workflow: 'restart' }]);
    const from = phases.phases().length;
    const op: MiddlewareOperation = {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareOperation',
      metadata: { name: 'restart-with-deadline', namespace: ns.name },
      spec: { instanceRef: { name: NAME }, type: 'Restart', activeDeadlineSeconds: 20 },
    };
    await ns.rest.post(operationPath(), op);
    const done = await eventually(
      'the operation Failed',
      async () => {
        const o = await ns.rest.get<MiddlewareOperation>(operationPath(op.metadata.name));
        return o.status?.phase === 'Failed' ? o : undefined;
      },
      { attempts: 1200, intervalMs: 200 },
    );
    expect(done.status?.message).toMatch(/deadline/i);
    const seen = await phases.until('Running', from + 2);
    expect(seen.slice(from - 1)).toEqual(['Running', 'Maintenance', 'Running']);
    await markSteps(ns, []);
  });
});
