// Two operator processes on one Lease: one leads, the other waits; SIGKILL the leader and the
// other takes over and finishes the pending work without a duplicate workflow; SIGTERM exits 0
// and releases the lease. Real processes (node src/main.ts), the real apiserver; the test plays
// Argo and the kubelet as in instance/lifecycle.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import { eventually, useNamespace } from '../support/cluster.ts';
import { finishWorkflow, listWorkflows, type WorkflowObj } from '../support/fake-argo.ts';
import { adminRest, installMwop } from '../support/install.ts';
import {
  awaitHolder,
  getLease,
  killAll,
  type OperatorProcess,
  releaseInstances,
  spawnOperator,
} from './process.ts';

const ns = useNamespace('leader');
const rest = adminRest();
const LEASE = 'mwop-leader-test';
const procs: OperatorProcess[] = [];

const instancePath = (name?: string) =>
  resourcePath(
    'mwop.dev/v1alpha1',
    'MiddlewareInstance',
    name ? { namespace: ns.name, name } : { namespace: ns.name },
  );

function redis(name: string): MiddlewareInstance {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name, namespace: ns.name },
    spec: {
      type: 'redis',
      pluginVersion: 'v1',
      middlewareVersion: '7.2.11',
      replicas: 1,
      storage: { size: '1Gi' },
      config: { preset: 'small' },
    },
  };
}

async function start(identity: string): Promise<OperatorProcess> {
  const p = await spawnOperator({ namespace: ns.name, identity, leaseName: LEASE });
  procs.push(p);
  return p;
}

/** Patient: the machine these run on is shared and often loaded (first CUE evaluations are slow). */
const PATIENT = { attempts: 3000 };

const workflowsOf = (instance: string) =>
  listWorkflows(rest, ns.name, `mwop.dev/instance=${instance},mwop.dev/operation=create`);

function awaitCreateWorkflow(instance: string): Promise<WorkflowObj> {
  return eventually(
    `the create workflow of ${instance}`,
    async () => (await workflowsOf(instance)).find((w) => !w.status?.phase),
    PATIENT,
  );
}

beforeAll(async () => {
  await installMwop();
}, 300_000);
afterAll(async () => {
  await killAll(procs);
  await releaseInstances(rest, ns.name);
});

describe('leader election between two operator processes', () => {
  let leader: OperatorProcess;
  let follower: OperatorProcess;

  it('elects exactly one leader; both serve probes; only the leader reconciles', async () => {
    const [a, b] = await Promise.all([start('op-a'), start('op-b')]);
    const holder = await awaitHolder(rest, ns.name, LEASE, ['op-a', 'op-b']);
    leader = holder === 'op-a' ? a : b;
    follower = holder === 'op-a' ? b : a;
    for (const p of [a, b]) {
      expect((await p.get('/healthz')).status).toBe(200);
      expect((await p.get('/readyz')).status).toBe(200);
    }

    await rest.post(instancePath(), redis('first'));
    const wf = await awaitCreateWorkflow('first');
    expect(wf.metadata?.name).toBe('first-create-g1');
    await eventually('the leader logged that it started its controllers', async () =>
      leader.stdout().includes('caches synced; controllers running') ? true : undefined,
    );
    // The follower never started a controller: it logs who leads, not that it does.
    expect(follower.stdout()).not.toContain('became leader');
    expect(follower.stdout()).toContain(`"leader":"${leader.identity}"`);
  }, 600_000);

  it('SIGKILL of the leader: the follower takes the lease and finishes the pending work, with no duplicate workflow', async () => {
    const before = await getLease(rest, ns.name, LEASE);
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    expect((await leader.exited).signal).toBe('SIGKILL');

    // Work that arrives while nobody leads waits in the API server.
    await rest.post(instancePath(), redis('second'));

    const holder = await awaitHolder(rest, ns.name, LEASE, [follower.identity]);
    const takeoverMs = Date.now() - killedAt;
    expect(holder).toBe(follower.identity);
    const after = await getLease(rest, ns.name, LEASE);
    expect(after.spec?.leaseTransitions ?? 0).toBeGreaterThan(before.spec?.leaseTransitions ?? 0);
    process.stderr.write(`leader takeover after SIGKILL: ${takeoverMs} ms (lease 15 s)\n`);

    // The new leader starts the create workflow of the instance that arrived while none led...
    const second = await awaitCreateWorkflow('second');
    expect(second.metadata?.name).toBe('second-create-g1');
    // ...and picks up the one already running: when Argo finishes it, the instance goes Running.
    const first = (await workflowsOf('first'))[0]!;
    // The killed leader may have died between creating the workflow and applying the
    // StatefulSet; the new leader applies it.
    await eventually(
      'StatefulSet first applied',
      () => rest.get(resourcePath('apps/v1', 'StatefulSet', { namespace: ns.name, name: 'first' })),
      PATIENT,
    );
    await rest.patch(
      resourcePath('apps/v1', 'StatefulSet', { namespace: ns.name, name: 'first' }),
      { spec: { replicas: 1 } },
      'application/merge-patch+json',
    );
    await finishWorkflow(rest, first, { phase: 'Succeeded' });
    await eventually(
      'first reaches Running or Degraded under the new leader',
      async () => {
        const i = await rest.get<MiddlewareInstance>(instancePath('first'));
        return i.status?.applied?.replicas === 1 && i.status.operations?.recent?.[0]?.phase === 'Succeeded'
          ? true
          : undefined;
      },
      PATIENT,
    );
    expect(await workflowsOf('first')).toHaveLength(1);
    expect(await workflowsOf('second')).toHaveLength(1);
  }, 600_000);

  it('SIGTERM during a reconcile: exit code 0, the lease is released, and a successor creates no duplicate', async () => {
    await rest.post(instancePath(), redis('third'));
    // The first reconcile of third has begun once the finalizer is on; it goes on to plan and
    // create the workflow and write status, and SIGTERM lands in the middle of that.
    await eventually('third has the finalizer', async () => {
      const i = await rest.get<MiddlewareInstance>(instancePath('third'));
      return i.metadata.finalizers?.includes('mwop.dev/finalizer') ? true : undefined;
    });
    follower.child.kill('SIGTERM');
    const exit = await follower.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(follower.stdout()).toContain('shutdown complete; lease released');
    const lease = await getLease(rest, ns.name, LEASE);
    expect(lease.spec?.holderIdentity ?? '').toBe('');

    // A successor takes the released lease at once (no expiry to wait for) and converges.
    const next = await start('op-c');
    await awaitHolder(rest, ns.name, LEASE, [next.identity]);
    await awaitCreateWorkflow('third');
    await eventually(
      'third shows its create workflow in status',
      async () => {
        const i = await rest.get<MiddlewareInstance>(instancePath('third'));
        return i.status?.operations?.current?.workflow === 'third-create-g1' ? true : undefined;
      },
      PATIENT,
    );
    expect(await workflowsOf('third')).toHaveLength(1);
    next.child.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  }, 600_000);
});
