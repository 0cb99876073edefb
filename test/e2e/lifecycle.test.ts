// One Redis instance's whole life, with Argo's real workflow-controller running every workflow on
// kwok's simulated nodes (hack/testenv/simulation): create, scale out and in, an upgrade whose
// pre-check is refused, an upgrade that passes, and deletion. Each change asserts the exact phase
// sequence the instance went through (watched, not polled) and the status it ends with.
import type { V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '../../src/kube/errors.ts';
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
  recordStatefulSet,
  redis,
  settled,
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
  it('create: Initializing -> Running, members ready, the create workflow Succeeded', async () => {
    await ns.rest.post(instancePath(ns.name), redis(ns.name, NAME));
    const seen = await phases.until('Running');
    // The first reconcile applies the objects and starts the create workflow at once, so the
    // first phase written is Initializing (Pending is only seen when the create cannot start).
    expect(seen).toEqual(['Initializing', 'Running']);
    await settled(ns, NAME);
    const inst = await getInstance(ns, NAME);
    expect(inst.status?.applied?.replicas).toBe(1);
    expect(inst.status?.applied?.middlewareVersion).toBe('7.2.11');
    expect((await condition('Ready'))?.status).toBe('True');
    const [wf] = await workflowsOf(ns, NAME, 'create');
    expect(wf?.status?.phase).toBe('Succeeded');
    expect((await sts()).status?.readyReplicas).toBe(1);
  });

  it('scale out 1 -> 3: Running -> Scaling -> Running, three ready members, replicas never set back', async () => {
    const replicas = await recordStatefulSet(ns, NAME, (s) => String(s.spec?.replicas));
    const from = phases.phases().length;
    await patchSpec(ns, NAME, { replicas: 3 });
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Scaling', 'Running']);
    await settled(ns, NAME);
    await replicas.stop();
    expect(replicas.values()).toEqual(['1', '3']);
    expect((await getInstance(ns, NAME)).status?.applied?.replicas).toBe(3);
    expect((await sts()).status?.readyReplicas).toBe(3);
    const [wf] = await workflowsOf(ns, NAME, 'scale-out');
    expect(wf?.status?.phase).toBe('Succeeded');
  });

  it('scale in 3 -> 2: Running -> Scaling -> Running, two members left', async () => {
    const from = phases.phases().length;
    await patchSpec(ns, NAME, { replicas: 2 });
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Scaling', 'Running']);
    await settled(ns, NAME);
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
    await settled(ns, NAME);
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

  it('the upgrade passes once the pre-check does: Upgrading, then Running on v2; the new image is never put back', async () => {
    await markSteps(ns, []);
    const images = await recordStatefulSet(
      ns,
      NAME,
      (s) => s.spec?.template.spec?.containers.find((c) => c.name === 'middleware')?.image,
    );
    const from = phases.phases().length;
    // A new generation starts a new upgrade workflow (the refused one is not retried by itself).
    await patchSpec(ns, NAME, { middlewareVersion: '7.4.6' });
    const seen = await phases.until('Running', from + 2);
    const inst = await settled(ns, NAME);
    expect(seen.slice(from - 1)).toEqual(['Running', 'Upgrading', 'Running']);
    expect(inst.status?.operations?.recent?.[0]).toMatchObject({ type: 'Upgrade', phase: 'Succeeded' });
    expect(inst.status?.applied?.pluginVersion).toBe('v2');
    expect(inst.status?.applied?.middlewareVersion).toBe('7.4.6');
    // v2's redis.conf differs from v1's (its header names the plugin and Redis version). The
    // members restarted with it, since the ConfigMap held it before the roll, and it is recorded
    // as applied: no config reload (Maintenance) follows. The delete below sees Terminating only.
    const cm = await ns.rest.get<{
      data: Record<string, string>;
      metadata: { annotations: Record<string, string> };
    }>(resourcePath('v1', 'ConfigMap', { namespace: ns.name, name: `${NAME}-config` }));
    expect(cm.data['redis.conf']).toContain('(redis v2, Redis 7.4.6)');
    expect(inst.status?.applied?.configChecksum).toBe(cm.metadata.annotations['mwop.dev/config-checksum']);
    await images.stop();
    expect(images.values()).toEqual(['docker.io/library/redis:7.2.11', 'docker.io/library/redis:7.4.6']);
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
        return isNotFound(err) ? true : undefined;
      }
    });
  });
});
