// The instance controller against the real apiserver, kube-controller-manager and the Argo CRDs.
// There are no kubelets and no Argo controller here: the tests play both, by marking pods ready
// and by writing Workflow status, exactly as those would.
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { mergePatch, patchStatus } from '../../../src/kube/apply.ts';
import { isNotFound } from '../../../src/kube/errors.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import { eventually, useNamespace } from '../support/cluster.ts';
import { awaitWorkflow, finishWorkflow, listWorkflows, workflowPath } from '../support/fake-argo.ts';
import { podsReady } from '../support/fake-kubelet.ts';
import { adminRest, installMwop } from '../support/install.ts';
import { startOperator } from '../support/operator.ts';

const ns = useNamespace('lifecycle');
const rest = adminRest();
let operator: RunningOperator;

const instancePath = (name?: string) =>
  resourcePath(
    'mwop.dev/v1alpha1',
    'MiddlewareInstance',
    name ? { namespace: ns.name, name } : { namespace: ns.name },
  );
const getInstance = (name: string) => rest.get<MiddlewareInstance>(instancePath(name));
const getSts = (name: string) =>
  rest.get<V1StatefulSet>(resourcePath('apps/v1', 'StatefulSet', { namespace: ns.name, name }));

function redis(name: string, spec: Partial<MiddlewareInstance['spec']> = {}): MiddlewareInstance {
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
      ...spec,
    },
  };
}

/** Plays a workflow step that scales the StatefulSet (what scale/create workflows do). */
async function scaleSts(name: string, replicas: number): Promise<void> {
  await mergePatch(
    rest,
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: ns.name } },
    {
      spec: { replicas },
    },
  );
}

const getConfigMap = (name: string) =>
  rest.get<{ data: Record<string, string>; metadata: { annotations: Record<string, string> } }>(
    resourcePath('v1', 'ConfigMap', { namespace: ns.name, name: `${name}-config` }),
  );
const getConfig = async (name: string) => (await getConfigMap(name)).data;

async function phaseIs(name: string, phase: string): Promise<MiddlewareInstance> {
  return eventually(`${name} phase ${phase}`, async () => {
    const i = await getInstance(name);
    return i.status?.phase === phase ? i : undefined;
  });
}

const condition = (i: MiddlewareInstance, type: string) => i.status?.conditions?.find((c) => c.type === type);

async function createRunning(
  name: string,
  spec: Partial<MiddlewareInstance['spec']> = {},
): Promise<MiddlewareInstance> {
  await rest.post(instancePath(), redis(name, spec));
  const wf = await awaitWorkflow(rest, ns.name, name, 'create');
  const replicas = spec.replicas ?? 1;
  await scaleSts(name, replicas);
  await podsReady(rest, ns.name, name, replicas);
  await finishWorkflow(rest, wf, { phase: 'Succeeded' });
  return phaseIs(name, 'Running');
}

beforeAll(async () => {
  await installMwop();
  operator = await startOperator(ns.name);
}, 600_000);
afterAll(async () => {
  await operator?.shutdown('test done');
});

describe('MiddlewareInstance lifecycle', () => {
  it('create: Initializing while the create workflow runs, then Running with connection info and a working Secret', async () => {
    await rest.post(instancePath(), redis('cache'));
    const init = await phaseIs('cache', 'Initializing');
    expect(init.metadata.finalizers).toContain('mwop.dev/finalizer');
    expect(init.status?.operations?.current).toMatchObject({ type: 'Create', workflow: 'cache-create-g1' });
    const sts = await getSts('cache');
    expect(sts.spec?.replicas).toBe(0); // the workflow, not the controller, brings members up
    expect(sts.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'MiddlewareInstance',
      name: 'cache',
      controller: true,
    });

    const wf = await awaitWorkflow(rest, ns.name, 'cache', 'create');
    expect(wf.metadata?.name).toBe('cache-create-g1');
    await scaleSts('cache', 1);
    await podsReady(rest, ns.name, 'cache', 1);
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });

    const running = await phaseIs('cache', 'Running');
    expect(running.status?.applied).toMatchObject({
      replicas: 1,
      pluginVersion: 'v1',
      middlewareVersion: '7.2.11',
    });
    expect(running.status?.connection).toEqual({
      host: `cache.${ns.name}.svc`,
      port: 6379,
      secretName: 'cache-credentials',
    });
    expect(condition(running, 'ConfigValid')?.status).toBe('True');
    expect(running.status?.operations?.recent?.[0]).toMatchObject({ type: 'Create', phase: 'Succeeded' });
    const ready = await eventually('Ready=True', async () => {
      const i = await getInstance('cache');
      return condition(i, 'Ready')?.status === 'True' ? i : undefined;
    });
    expect(ready.status?.readyReplicas).toBe(1);
    const secret = await rest.get<{ data: Record<string, string> }>(
      resourcePath('v1', 'Secret', { namespace: ns.name, name: 'cache-credentials' }),
    );
    const password = Buffer.from(secret.data.password ?? '', 'base64').toString();
    expect(password.length).toBeGreaterThanOrEqual(20);
    const cm = await rest.get<{ data: Record<string, string> }>(
      resourcePath('v1', 'ConfigMap', { namespace: ns.name, name: 'cache-config' }),
    );
    expect(cm.data['redis.conf']).toContain('maxmemory');
  });

  it('scale within bounds runs a scale-out workflow (Scaling), beyond the bounds is refused with the bounds', async () => {
    await mergePatch(rest, await getInstance('cache'), { spec: { replicas: 3 } });
    const scaling = await phaseIs('cache', 'Scaling');
    expect(scaling.status?.operations?.current).toMatchObject({ type: 'ScaleOut' });
    const wf = await awaitWorkflow(rest, ns.name, 'cache', 'scale-out');
    await scaleSts('cache', 3);
    await podsReady(rest, ns.name, 'cache', 3);
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });
    const scaled = await eventually('applied replicas 3', async () => {
      const i = await getInstance('cache');
      return i.status?.phase === 'Running' && i.status.applied?.replicas === 3 ? i : undefined;
    });
    expect(scaled.status?.operations?.recent?.[0]).toMatchObject({ type: 'ScaleOut', phase: 'Succeeded' });

    await mergePatch(rest, scaled, { spec: { replicas: 12 } });
    const refused = await eventually('SpecApplied=False for replicas 12', async () => {
      const i = await getInstance('cache');
      return condition(i, 'SpecApplied')?.reason === 'ReplicasOutOfBounds' ? i : undefined;
    });
    expect(condition(refused, 'SpecApplied')?.message).toBe(
      'spec.replicas: 12 is outside what redis v1 allows: 1 to 9',
    );
    expect(refused.status?.phase).toBe('Running');
    expect(refused.status?.applied?.replicas).toBe(3);
    await mergePatch(rest, refused, { spec: { replicas: 3 } });
  });

  it('vertical scale is a rolling restart workflow and records the new resources', async () => {
    const resources = { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };
    await mergePatch(rest, await getInstance('cache'), { spec: { resources } });
    const wf = await awaitWorkflow(rest, ns.name, 'cache', 'vertical-scale');
    expect(JSON.stringify(wf.spec)).toContain('512Mi');
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });
    const done = await eventually('applied resources', async () => {
      const i = await getInstance('cache');
      return i.status?.applied?.resources?.limits?.memory === '512Mi' ? i : undefined;
    });
    expect(done.status?.phase).toBe('Running');
  });

  it('an upgrade refused by its pre-check keeps the old version and shows the failed step', async () => {
    await mergePatch(rest, await getInstance('cache'), {
      spec: { pluginVersion: 'v2', middlewareVersion: '7.4.6' },
    });
    const upgrading = await phaseIs('cache', 'Upgrading');
    expect(upgrading.status?.operations?.current?.type).toBe('Upgrade');
    // The members will restart on v2 with v2's config: the ConfigMap holds it before the workflow runs.
    expect((await getConfig('cache'))['redis.conf']).toContain('(redis v2, Redis 7.4.6)');
    const wf = await awaitWorkflow(rest, ns.name, 'cache', 'upgrade');
    await finishWorkflow(rest, wf, {
      phase: 'Failed',
      failAt: 'pre-upgrade',
      message: 'refused: an RDB save is in progress; retry when it finishes',
    });
    const after = await eventually('SpecApplied=False after the failed pre-check', async () => {
      const i = await getInstance('cache');
      return condition(i, 'SpecApplied')?.reason === 'OperationFailed' ? i : undefined;
    });
    expect(after.status?.phase).toBe('Running');
    expect(after.status?.pluginVersion).toBe('v1');
    expect(after.status?.applied?.middlewareVersion).toBe('7.2.11');
    expect(condition(after, 'SpecApplied')?.message).toMatch(
      /^Upgrade failed at step pre-upgrade.*: refused: an RDB save is in progress; retry when it finishes$/,
    );
    // Nothing restarted: the members' config goes back to v1's.
    await eventually('the ConfigMap back on v1', async () =>
      (await getConfig('cache'))['redis.conf']?.includes('(redis v1, Redis 7.2.11)') ? true : undefined,
    );
    // The same change is not retried in a loop: one upgrade workflow for this generation.
    const upgrades = await listWorkflows(rest, ns.name, 'mwop.dev/instance=cache,mwop.dev/operation=upgrade');
    expect(upgrades).toHaveLength(1);
  });

  it('an upgrade that succeeds records the config the members restarted with, so no config reload follows', async () => {
    const v1 = await createRunning('upgraded');
    const v1Checksum = v1.status?.applied?.configChecksum;
    await mergePatch(rest, v1, { spec: { pluginVersion: 'v2', middlewareVersion: '7.4.6' } });
    await phaseIs('upgraded', 'Upgrading');
    const wf = await awaitWorkflow(rest, ns.name, 'upgraded', 'upgrade');
    const during = await getConfigMap('upgraded');
    expect(during.data['redis.conf']).toContain('(redis v2, Redis 7.4.6)');
    const v2Checksum = during.metadata.annotations['mwop.dev/config-checksum'];
    expect(v2Checksum).not.toBe(v1Checksum);
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });
    const done = await eventually('applied v2', async () => {
      const i = await getInstance('upgraded');
      return i.status?.phase === 'Running' && i.status.applied?.pluginVersion === 'v2' ? i : undefined;
    });
    // The planner compares this with the config v2 renders: equal, so no ConfigReload is planned.
    expect(done.status?.applied).toMatchObject({ middlewareVersion: '7.4.6', configChecksum: v2Checksum });
    // The StatefulSet's template now carries v2's checksum too (applied once nothing runs; with the
    // old behaviour a reload started instead and kept v1's), and no config-reload workflow exists.
    await eventually('the StatefulSet template on v2', async () => {
      const sts = await getSts('upgraded');
      return sts.spec?.template.metadata?.annotations?.['mwop.dev/config-checksum'] === v2Checksum
        ? sts
        : undefined;
    });
    expect(
      await listWorkflows(rest, ns.name, 'mwop.dev/instance=upgraded,mwop.dev/operation=config-reload'),
    ).toHaveLength(0);
    expect((await getInstance('upgraded')).status?.phase).toBe('Running');
  });

  it('an upgrade that upgradeFrom does not allow is refused without a workflow', async () => {
    const inst = await createRunning('legacy', { pluginVersion: 'v2', middlewareVersion: '7.4.6' });
    await mergePatch(rest, inst, { spec: { pluginVersion: 'v1', middlewareVersion: '7.2.11' } });
    const refused = await eventually('UpgradeNotAllowed', async () => {
      const i = await getInstance('legacy');
      return condition(i, 'SpecApplied')?.reason === 'UpgradeNotAllowed' ? i : undefined;
    });
    expect(condition(refused, 'SpecApplied')?.message).toContain(
      'spec.pluginVersion: redis v2 cannot upgrade to v1',
    );
    expect(refused.status?.phase).toBe('Running');
    expect(refused.status?.pluginVersion).toBe('v2');
    expect(
      await listWorkflows(rest, ns.name, 'mwop.dev/instance=legacy,mwop.dev/operation=upgrade'),
    ).toHaveLength(0);
  });

  it('cancelling a running operation stops its workflow and returns the instance to a stable phase', async () => {
    await mergePatch(rest, await getInstance('legacy'), { spec: { replicas: 2 } });
    const wf = await awaitWorkflow(rest, ns.name, 'legacy', 'scale-out');
    await phaseIs('legacy', 'Scaling');
    await mergePatch(rest, await getInstance('legacy'), {
      metadata: { annotations: { 'mwop.dev/cancel': 'true' } },
    });
    const stopping = await eventually('spec.shutdown on the workflow', async () => {
      const w = await rest.get<{ spec: { shutdown?: string } }>(workflowPath(ns.name, wf.metadata!.name!));
      return w.spec.shutdown === 'Terminate' ? w : undefined;
    });
    expect(stopping.spec.shutdown).toBe('Terminate');
    // What Argo writes when it has stopped a workflow on spec.shutdown.
    await mergePatch(rest, wf, {
      status: {
        phase: 'Failed',
        message: "Stopped with strategy 'Terminate'",
        finishedAt: new Date().toISOString(),
      },
    });
    const after = await eventually('OperationCancelled=True and phase Running', async () => {
      const i = await getInstance('legacy');
      return condition(i, 'OperationCancelled')?.status === 'True' && i.status?.phase === 'Running'
        ? i
        : undefined;
    });
    expect(condition(after, 'OperationCancelled')?.message).toMatch(
      /^ScaleOut legacy-scale-out-g\d+ was cancelled/,
    );
    expect(after.status?.applied?.replicas).toBe(1);
    expect(after.status?.operations?.recent?.[0]).toMatchObject({ type: 'ScaleOut', phase: 'Cancelled' });
    await eventually('the cancel annotation is spent', async () => {
      const i = await getInstance('legacy');
      return i.metadata.annotations?.['mwop.dev/cancel'] === undefined ? true : undefined;
    });
  });

  it('storage grows online when the StorageClass allows it, and is refused with a reason when it does not', async () => {
    const sc = (name: string, allow: boolean) => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      provisioner: 'example.com/none',
      allowVolumeExpansion: allow,
    });
    const fixed = `fixed-${ns.name}`;
    const growable = `growable-${ns.name}`;
    await rest.post(resourcePath('storage.k8s.io/v1', 'StorageClass'), sc(fixed, false));
    await rest.post(resourcePath('storage.k8s.io/v1', 'StorageClass'), sc(growable, true));

    const a = await createRunning('fixed', { storage: { size: '1Gi', storageClassName: fixed } });
    await mergePatch(rest, a, { spec: { storage: { size: '2Gi', storageClassName: fixed } } });
    const refused = await eventually('StorageExpansionUnsupported', async () => {
      const i = await getInstance('fixed');
      return condition(i, 'SpecApplied')?.reason === 'StorageExpansionUnsupported' ? i : undefined;
    });
    expect(condition(refused, 'SpecApplied')?.message).toBe(
      `spec.storage.size: cannot grow from 1Gi to 2Gi: StorageClass ${fixed} does not set allowVolumeExpansion; volumes are unchanged`,
    );
    expect(
      await listWorkflows(rest, ns.name, 'mwop.dev/instance=fixed,mwop.dev/operation=volume-expand'),
    ).toHaveLength(0);

    const b = await createRunning('growable', { storage: { size: '1Gi', storageClassName: growable } });
    await mergePatch(rest, b, { spec: { storage: { size: '2Gi', storageClassName: growable } } });
    const wf = await awaitWorkflow(rest, ns.name, 'growable', 'volume-expand');
    expect(JSON.stringify(wf.spec)).toContain('2Gi');
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });
    await eventually('applied storage 2Gi', async () => {
      const i = await getInstance('growable');
      return i.status?.applied?.storageSize === '2Gi' ? i : undefined;
    });
  });

  it('members that never become ready move the instance to Failed with the kubelet error', async () => {
    const restarted = await startOperator(ns.name, ['--pod-failure-seconds', '0']);
    await operator.shutdown('swap for a zero failure threshold');
    operator = restarted;
    await rest.post(instancePath(), redis('broken'));
    const wf = await awaitWorkflow(rest, ns.name, 'broken', 'create');
    await scaleSts('broken', 1);
    const pod = await eventually('pod broken-0', async () => {
      try {
        return await rest.get<V1Pod>(resourcePath('v1', 'Pod', { namespace: ns.name, name: 'broken-0' }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    });
    const past = new Date(Date.now() - 3_600_000).toISOString();
    await patchStatus(
      rest,
      { ...pod, apiVersion: 'v1', kind: 'Pod' },
      {
        phase: 'Pending',
        conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: past }],
        containerStatuses: [
          {
            name: 'middleware',
            ready: false,
            restartCount: 0,
            image: 'docker.io/library/redis:7.2.11',
            imageID: '',
            state: {
              waiting: {
                reason: 'ImagePullBackOff',
                message: 'Back-off pulling image "docker.io/library/redis:7.2.11"',
              },
            },
          },
        ],
      },
    );
    await finishWorkflow(rest, wf, { phase: 'Running' });
    const failed = await phaseIs('broken', 'Failed');
    expect(failed.status?.message).toContain(
      'pod broken-0 container middleware: ImagePullBackOff: Back-off pulling image "docker.io/library/redis:7.2.11"',
    );
  });

  it('restarting the operator mid-operation creates no duplicate workflow and loses no state', async () => {
    await mergePatch(rest, await getInstance('growable'), { spec: { replicas: 2 } });
    const wf = await awaitWorkflow(rest, ns.name, 'growable', 'scale-out');
    await operator.shutdown('simulated crash');
    operator = await startOperator(ns.name);
    const still = await phaseIs('growable', 'Scaling');
    expect(still.status?.operations?.current?.workflow).toBe(wf.metadata?.name);
    await scaleSts('growable', 2);
    await podsReady(rest, ns.name, 'growable', 2);
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });
    await eventually('applied replicas 2', async () => {
      const i = await getInstance('growable');
      return i.status?.applied?.replicas === 2 && i.status.phase === 'Running' ? i : undefined;
    });
    expect(
      await listWorkflows(rest, ns.name, 'mwop.dev/instance=growable,mwop.dev/operation=scale-out'),
    ).toHaveLength(1);
  });

  it('deletion with Delete removes the PVCs; with Retain the PVCs and Secret stay, labelled for a restore', async () => {
    const pvcs = async (instance: string) =>
      (
        await rest.get<{
          items: {
            metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
          }[];
        }>(resourcePath('v1', 'PersistentVolumeClaim', { namespace: ns.name }), {
          query: { labelSelector: `mwop.dev/instance=${instance}` },
        })
      ).items;
    await mergePatch(rest, await getInstance('fixed'), { spec: { deletionPolicy: 'Retain' } });
    await eventually('PVCs of fixed and growable exist', async () =>
      (await pvcs('fixed')).length > 0 && (await pvcs('growable')).length > 0 ? true : undefined,
    );

    await rest.delete(instancePath('growable'));
    await eventually('growable gone', async () => {
      try {
        await getInstance('growable');
        return undefined;
      } catch (err) {
        return isNotFound(err) ? true : undefined;
      }
    });
    await eventually('growable PVCs deleted', async () =>
      (await pvcs('growable')).every((p) => p.metadata.deletionTimestamp) ? true : undefined,
    );

    await rest.delete(instancePath('fixed'));
    await eventually('fixed gone', async () => {
      try {
        await getInstance('fixed');
        return undefined;
      } catch (err) {
        return isNotFound(err) ? true : undefined;
      }
    });
    const kept = await pvcs('fixed');
    expect(kept.length).toBeGreaterThan(0);
    for (const p of kept) {
      expect(p.metadata.deletionTimestamp).toBeUndefined();
      expect(p.metadata.labels?.['mwop.dev/retained-from']).toBe('fixed');
    }
    const secret = await rest.get<{
      metadata: { labels?: Record<string, string>; ownerReferences?: unknown[] };
    }>(resourcePath('v1', 'Secret', { namespace: ns.name, name: 'fixed-credentials' }));
    expect(secret.metadata.labels?.['mwop.dev/retained-from']).toBe('fixed');
    expect(secret.metadata.ownerReferences ?? []).toEqual([]);
  });
});
