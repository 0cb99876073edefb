// Redis on the real node: a MiddlewareInstance of the test-only redis type becomes real pods
// running Debian's redis-server and mwop's hook agent (images built on this machine), through the
// operator and Argo's real controller and executor. Every check reads or writes real data with
// redis-cli from this host: through the client Service's ClusterIP (kube-proxy) or a pod's IP.
// Durations are recorded (support/results.ts), never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../src/api/index.ts';
import {
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
});
