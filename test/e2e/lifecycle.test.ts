// One Redis instance's whole life, with Argo's real workflow-controller running every workflow on
// kwok's simulated nodes (hack/testenv/simulation): create, scale out and in, an upgrade whose
// pre-check is refused, an upgrade that passes, and deletion. Each change asserts the exact phase
// sequence the instance went through (watched, not polled) and the status it ends with.
import type { V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const ns = e2eNamespace('e2e-life');
const NAME = 'cache';
let phases: PhaseRecorder;

const sts = () =>
  ns.rest.get<V1StatefulSet>(resourcePath('apps/v1', 'StatefulSet', { namespace: ns.name, name: NAME }));
const condition = async (type: string) =>
  (await getInstance(ns, NAME)).status?.conditions?.find((c) => c.type === type);

/** Waits for the change's phases after `from` observed phases; returns only the new ones. */
async function phasesOfChange(from: number, end: string): Promise<string[]> {
  const all = await phases.until(end, from + 2);
  return all.slice(from - 1);
}

beforeAll(async () => {
  phases = await recordPhases(ns, NAME);
});
afterAll(async () => {
  await phases?.stop();
});

describe('a Redis instance through the real Argo controller', () => {
  it('create: Pending -> Initializing -> Running, members ready, the create workflow Succeeded', async () => {
    await ns.rest.post(instancePath(ns.name), redis(ns.name, NAME));
    const seen = await phases.until('Running');
    expect(seen).toEqual(['Pending', 'Initializing', 'Running']);
    const inst = await getInstance(ns, NAME);
    expect(inst.status?.applied?.replicas).toBe(1);
    expect(inst.status?.applied?.middlewareVersion).toBe('7.2.11');
    expect((await condition('Ready'))?.status).toBe('True');
    const [wf] = await workflowsOf(ns, NAME, 'create');
    expect(wf?.status?.phase).toBe('Succeeded');
    expect((await sts()).status?.readyReplicas).toBe(1);
  });

  it('scale out 1 -> 3: Running -> Scaling -> Running, three ready members', async () => {
    const from = phases.phases().length;
    await patchSpec(ns, NAME, { replicas: 3 });
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Scaling', 'Running']);
    expect((await getInstance(ns, NAME)).status?.applied?.replicas).toBe(3);
    expect((await sts()).status?.readyReplicas).toBe(3);
    const [wf] = await workflowsOf(ns, NAME, 'scale-out');
    expect(wf?.status?.phase).toBe('Succeeded');
  });

  it('scale in 3 -> 2: Running -> Scaling -> Running, two members left', async () => {
    const from = phases.phases().length;
    await patchSpec(ns, NAME, { replicas: 2 });
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Scaling', 'Running']);
    expect((await getInstance(ns, NAME)).status?.applied?.replicas).toBe(2);
    const s = await sts();
    expect(s.spec?.replicas).toBe(2);
    expect(s.status?.readyReplicas).toBe(2);
  });

  it('an upgrade whose pre-check is refused fails, stays on the old version, and says why', async () => {
    await markSteps(ns, [
      { step: 'pre-upgrade-*', outcome: 'fail', message: 'replica lag is 30 s; refusing to upgrade' },
    ]);
    const from = phases.phases().length;
    await patchSpec(ns, NAME, { pluginVersion: 'v2', middlewareVersion: '7.4.2' });
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Upgrading', 'Running']);
    const [wf] = await workflowsOf(ns, NAME, 'upgrade');
    expect(wf?.status?.phase).toBe('Failed');
    const inst = await getInstance(ns, NAME);
    expect(inst.status?.applied?.pluginVersion).toBe('v1');
    expect(inst.status?.applied?.middlewareVersion).toBe('7.2.11');
    const image = (await sts()).spec?.template.spec?.containers.find((c) => c.name === 'middleware')?.image;
    expect(image).toBe('docker.io/library/redis:7.2.11');
    const text = JSON.stringify(inst.status);
    expect(text).toContain('replica lag is 30 s; refusing to upgrade');
    expect(text).toContain('pre-upgrade');
  });

  it('the same upgrade passes once the pre-check does: Running -> Upgrading -> Running on v2', async () => {
    await markSteps(ns, []);
    const from = phases.phases().length;
    // A new generation, so a new upgrade workflow: touch the spec back and forth is not needed,
    // the operator retries a failed upgrade when the spec changes; change the middleware version.
    await patchSpec(ns, NAME, { middlewareVersion: '7.4.6' });
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Upgrading', 'Running']);
    const inst = await getInstance(ns, NAME);
    expect(inst.status?.applied?.pluginVersion).toBe('v2');
    expect(inst.status?.applied?.middlewareVersion).toBe('7.4.6');
    const image = (await sts()).spec?.template.spec?.containers.find((c) => c.name === 'middleware')?.image;
    expect(image).toBe('docker.io/library/redis:7.4.6');
  });

  it('delete: Terminating, then the instance and its StatefulSet are gone', async () => {
    const from = phases.phases().length;
    await ns.rest.delete(instancePath(ns.name, NAME));
    await phases.until('deleted');
    expect(phases.phases().slice(from)).toEqual(['Terminating']);
    await eventually('the StatefulSet deleted', async () => {
      try {
        await sts();
        return undefined;
      } catch (err) {
        return (err as { status?: number }).status === 404 ? true : undefined;
      }
    });
  });
});
