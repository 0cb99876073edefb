// Redis on the real node: a MiddlewareInstance of the test-only redis type becomes real pods
// running Debian's redis-server and mwop's hook agent (images built on this machine), through the
// operator and Argo's real controller and executor. Every check reads or writes real data with
// redis-cli from this host: through the client Service's ClusterIP (kube-proxy) or a pod's IP.
// Durations are recorded (support/results.ts), never asserted.
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareInstance, MiddlewareOperation } from '../../src/api/index.ts';
import { resourcePath } from '../../src/kube/gvr.ts';
import {
  eventually,
  getInstance,
  instancePath,
  type PhaseRecorder,
  patchSpec,
  recordPhases,
  settled,
  workflowsOf,
} from '../e2e/support/e2e.ts';
import { clientEndpoint, localRedis, podIP, realNamespace, redisCli } from './support/real.ts';
import { recordFigure } from './support/results.ts';

const ns = realNamespace('real-redis');
const NAME = 'cache';
let phases: PhaseRecorder;

beforeAll(async () => {
  phases = await recordPhases(ns, NAME);
});
afterAll(async () => {
  await phases?.stop();
});

const operationPath = (name?: string) =>
  resourcePath(
    'mwop.dev/v1alpha1',
    'MiddlewareOperation',
    name ? { namespace: ns.name, name } : { namespace: ns.name },
  );

/** Pod name -> uid of the instance's members. */
async function memberUids(): Promise<Record<string, string>> {
  const list = await ns.rest.get<{ items: V1Pod[] }>(resourcePath('v1', 'Pod', { namespace: ns.name }), {
    query: { labelSelector: `mwop.dev/instance=${NAME}` },
  });
  return Object.fromEntries(list.items.map((p) => [p.metadata!.name!, p.metadata!.uid!]));
}

/** Waits for the change's phases after `from` observed phases; returns only the new ones. */
async function phasesOfChange(from: number, end: string): Promise<string[]> {
  return (await phases.until(end, from + 2)).slice(from - 1);
}

describe('Redis on the real node', () => {
  it('create: Initializing -> Running; keys written through the client Service read back', async () => {
    const t0 = Date.now();
    await ns.rest.post(instancePath(ns.name), localRedis(ns.name, NAME));
    expect(await phases.until('Running')).toEqual(['Initializing', 'Running']);
    const runningMs = Date.now() - t0;
    recordFigure('redis apply -> Running', { ms: runningMs, sc001LimitMs: 120_000, goalMs: 60_000 });
    const inst = await settled(ns, NAME);
    expect(inst.status?.readyReplicas).toBe(1);
    const [wf] = await workflowsOf(ns, NAME, 'create');
    expect(wf?.status?.phase).toBe('Succeeded');

    const svc = await clientEndpoint(ns, inst);
    expect(await redisCli(svc, 'ping')).toBe('PONG');
    for (let i = 0; i < 20; i++) expect(await redisCli(svc, 'set', `key:${i}`, `value-${i}`)).toBe('OK');
    for (let i = 0; i < 20; i++) expect(await redisCli(svc, 'get', `key:${i}`)).toBe(`"value-${i}"`);
    expect(await redisCli(svc, 'dbsize')).toBe('(integer) 20');
  });

  it('scale out 1 -> 3: Running -> Scaling -> Running; both replicas serve the keys written before', async () => {
    const from = phases.phases().length;
    const t0 = Date.now();
    await patchSpec(ns, NAME, { replicas: 3 });
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Scaling', 'Running']);
    recordFigure('redis scale out 1 -> 3', { ms: Date.now() - t0 });
    const inst: MiddlewareInstance = await settled(ns, NAME);
    expect(inst.status?.readyReplicas).toBe(3);
    const { password, port } = await clientEndpoint(ns, inst);
    const primary = { host: await podIP(ns, `${NAME}-0`), port, password };
    expect(await redisCli(primary, 'role')).toMatch(/^1\) "master"/);
    expect(await redisCli(primary, 'set', 'written:after-scale-out', 'yes')).toBe('OK');
    for (const member of [`${NAME}-1`, `${NAME}-2`]) {
      const replica = { host: await podIP(ns, member), port, password };
      expect(await redisCli(replica, 'role')).toMatch(/^1\) "slave"/);
      expect(await redisCli(replica, 'get', 'key:7')).toBe('"value-7"');
      // Written on the primary after the replica joined: replication is live, not a copied file.
      await expect
        .poll(() => redisCli(replica, 'get', 'written:after-scale-out'), { timeout: 30_000, interval: 500 })
        .toBe('"yes"');
      expect(await redisCli(replica, 'set', 'x', '1')).toMatch(/READONLY/);
    }
    expect((await getInstance(ns, NAME)).status?.applied?.replicas).toBe(3);
  });
  it('switchover to cache-1 through the real hook: Running -> Maintenance -> Running; cache-1 leads, the others follow it', async () => {
    const from = phases.phases().length;
    const t0 = Date.now();
    await ns.rest.post(operationPath(), {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareOperation',
      metadata: { name: 'switch-to-1', namespace: ns.name },
      spec: { instanceRef: { name: NAME }, type: 'Switchover', switchover: { target: `${NAME}-1` } },
    } satisfies MiddlewareOperation);
    const op = await eventually(
      'the switchover finished',
      async () => {
        const o = await ns.rest.get<MiddlewareOperation>(operationPath('switch-to-1'));
        return o.status?.phase === 'Succeeded' || o.status?.phase === 'Failed' ? o : undefined;
      },
      { attempts: 1200, intervalMs: 250 },
    );
    expect(op.status?.phase, op.status?.message).toBe('Succeeded');
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Maintenance', 'Running']);
    recordFigure('redis switchover', { ms: Date.now() - t0 });
    const inst = await settled(ns, NAME);
    const { password, port } = await clientEndpoint(ns, inst);
    const member = async (i: number) => ({ host: await podIP(ns, `${NAME}-${i}`), port, password });
    const primary = await member(1);
    expect(await redisCli(primary, 'role')).toMatch(/^1\) "master"/);
    expect(await redisCli(primary, 'get', 'key:3')).toBe('"value-3"');
    expect(await redisCli(primary, 'set', 'written:on-cache-1', 'yes')).toBe('OK');
    for (const i of [0, 2]) {
      const replica = await member(i);
      expect(await redisCli(replica, 'role')).toMatch(/^1\) "slave"/);
      await expect
        .poll(() => redisCli(replica, 'get', 'written:on-cache-1'), { timeout: 30_000, interval: 500 })
        .toBe('"yes"');
    }
  });

  it('scale in 3 -> 2: Running -> Scaling -> Running; no key is lost, cache-0 still follows cache-1', async () => {
    const from = phases.phases().length;
    const t0 = Date.now();
    await patchSpec(ns, NAME, { replicas: 2 });
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Scaling', 'Running']);
    recordFigure('redis scale in 3 -> 2', { ms: Date.now() - t0 });
    const inst = await settled(ns, NAME);
    expect(inst.status?.readyReplicas).toBe(2);
    const { password, port } = await clientEndpoint(ns, inst);
    const primary = { host: await podIP(ns, `${NAME}-1`), port, password };
    const replica = { host: await podIP(ns, `${NAME}-0`), port, password };
    const keys = 20 + 2; // key:0..19, written:after-scale-out, written:on-cache-1
    expect(await redisCli(primary, 'dbsize')).toBe(`(integer) ${keys}`);
    expect(await redisCli(replica, 'dbsize')).toBe(`(integer) ${keys}`);
    expect(await redisCli(replica, 'role')).toMatch(/^1\) "slave"/);
    expect(await redisCli(primary, 'set', 'written:after-scale-in', 'yes')).toBe('OK');
    await expect
      .poll(() => redisCli(replica, 'get', 'written:after-scale-in'), { timeout: 30_000, interval: 500 })
      .toBe('"yes"');
  });

  it('vertical scale: Running -> Scaling -> Running; every member restarted with the new resources, data intact', async () => {
    const before = await memberUids();
    const from = phases.phases().length;
    const t0 = Date.now();
    const resources = { requests: { cpu: '200m', memory: '384Mi' }, limits: { cpu: '1', memory: '640Mi' } };
    await patchSpec(ns, NAME, { resources });
    expect(await phasesOfChange(from, 'Running')).toEqual(['Running', 'Scaling', 'Running']);
    recordFigure('redis vertical scale (rolling restart of 2 members)', { ms: Date.now() - t0 });
    const inst = await settled(ns, NAME);
    const after = await memberUids();
    for (const pod of Object.keys(before))
      expect(after[pod], `${pod} was not restarted`).not.toBe(before[pod]);
    for (const pod of Object.keys(after)) {
      const p = await ns.rest.get<V1Pod>(resourcePath('v1', 'Pod', { namespace: ns.name, name: pod }));
      const c = p.spec?.containers.find((x) => x.name === 'middleware');
      expect(c?.resources).toEqual(resources);
    }
    // Each member kept every key on its volume (AOF and RDB): read them one by one, not through
    // the Service, which may pick either.
    const { password, port } = await clientEndpoint(ns, inst);
    for (const i of [0, 1]) {
      const member = { host: await podIP(ns, `${NAME}-${i}`), port, password };
      expect(await redisCli(member, 'dbsize')).toBe('(integer) 23'); // 22 + written:after-scale-in
      expect(await redisCli(member, 'get', 'key:19')).toBe('"value-19"');
    }
  });

  // Fails today (a bug the real node found, docs/real-node.md "Findings"): a restarted member starts
  // as a primary (redis.conf has no replicaof; /init sets it at run time), and the rolling restart
  // calls no hook afterwards, so after it both members are primaries and writes diverge.
  it('after the rolling restart, the members replicate again: one primary, one replica', async () => {
    const { password, port } = await clientEndpoint(ns, await settled(ns, NAME));
    const roles = await Promise.all(
      [0, 1].map(
        async (i) =>
          (await redisCli({ host: await podIP(ns, `${NAME}-${i}`), port, password }, 'role')).split('\n')[0],
      ),
    );
    expect(roles.sort()).toEqual(['1) "master"', '1) "slave"']);
  });
});
