import { describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { type PlanInput, planOperation } from '../../../src/controllers/instance/plan.ts';

const units: Record<string, number> = { Mi: 2 ** 20, Gi: 2 ** 30 };
const bytes = (q: string) => Number.parseFloat(q) * (units[q.replace(/^[0-9.]+/, '')] ?? 1);

function input(
  spec: Partial<MiddlewareInstance['spec']>,
  applied?: Record<string, unknown>,
  extra: Partial<PlanInput> = {},
): PlanInput {
  const instance: MiddlewareInstance = {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: 'cache', namespace: 'team-a', generation: 2 },
    spec: { type: 'redis', pluginVersion: 'v1', replicas: 3, storage: { size: '1Gi' }, ...spec },
    status: applied ? { applied } : {},
  };
  return {
    instance,
    desiredMiddlewareVersion: '7.2.11',
    desiredConfigChecksum: 'c1',
    scaling: { minReplicas: 1, maxReplicas: 6 },
    canUpgrade: (from, to) =>
      from === 'v1' && to === 'v2' ? { ok: true } : { ok: false, reason: `${to} declares upgradeFrom: [v1]` },
    storageExpandable: true,
    compareQuantity: (a, b) => bytes(a) - bytes(b),
    ...extra,
  };
}

const steady = {
  replicas: 3,
  pluginVersion: 'v1',
  middlewareVersion: '7.2.11',
  storageSize: '1Gi',
  configChecksum: 'c1',
};

describe('planOperation', () => {
  it('creates an instance that has never been applied', () => {
    expect(planOperation(input({})).operation).toEqual({ kind: 'Create', replicas: 3 });
  });

  it('does nothing when spec and applied agree', () => {
    expect(planOperation(input({}, steady))).toEqual({ blockers: [] });
  });

  it('scales out and in within the bounds', () => {
    expect(planOperation(input({ replicas: 5 }, steady)).operation).toEqual({
      kind: 'ScaleOut',
      from: 3,
      to: 5,
    });
    expect(planOperation(input({ replicas: 1 }, steady)).operation).toEqual({
      kind: 'ScaleIn',
      from: 3,
      to: 1,
    });
  });

  it('refuses replicas beyond the type bounds, with the bounds in the message', () => {
    const plan = planOperation(input({ replicas: 9 }, steady));
    expect(plan.operation).toBeUndefined();
    expect(plan.blockers).toEqual([
      { reason: 'ReplicasOutOfBounds', message: 'spec.replicas: 9 is outside what redis v1 allows: 1 to 6' },
    ]);
  });

  it('upgrades along upgradeFrom, and blocks an upgrade it does not allow while keeping the old version', () => {
    expect(planOperation(input({ pluginVersion: 'v2' }, steady)).operation).toEqual({
      kind: 'Upgrade',
      fromPlugin: 'v1',
      toPlugin: 'v2',
      fromVersion: '7.2.11',
      toVersion: '7.2.11',
    });
    const blocked = planOperation(input({ pluginVersion: 'v3' }, steady));
    expect(blocked.operation).toBeUndefined();
    expect(blocked.blockers[0]).toEqual({
      reason: 'UpgradeNotAllowed',
      message:
        'spec.pluginVersion: redis v1 cannot upgrade to v3: v3 declares upgradeFrom: [v1]; the instance keeps running v1',
    });
  });

  it('an upgrade and a version switch carry the config the target version renders, so no reload follows them', () => {
    const target = { targetConfigChecksum: 'c2' };
    expect(planOperation(input({ pluginVersion: 'v2' }, steady, target)).operation).toMatchObject({
      kind: 'Upgrade',
      configChecksum: 'c2',
    });
    expect(planOperation(input({}, { ...steady, middlewareVersion: '7.2.7' }, target)).operation).toEqual({
      kind: 'VersionSwitch',
      from: '7.2.7',
      to: '7.2.11',
      configChecksum: 'c2',
    });
  });

  it('a blocked upgrade does not stop other changes', () => {
    const plan = planOperation(input({ pluginVersion: 'v3', replicas: 4 }, steady));
    expect(plan.operation).toEqual({ kind: 'ScaleOut', from: 3, to: 4 });
    expect(plan.blockers.map((b) => b.reason)).toEqual(['UpgradeNotAllowed']);
  });

  it('switches the middleware version within a plugin version', () => {
    const plan = planOperation(input({}, { ...steady, middlewareVersion: '7.2.7' }));
    expect(plan.operation).toEqual({ kind: 'VersionSwitch', from: '7.2.7', to: '7.2.11' });
  });

  it('vertical scaling when resources change, comparing quantities as text', () => {
    const resources = { limits: { cpu: 2, memory: '2Gi' } };
    expect(planOperation(input({ resources }, steady)).operation).toEqual({
      kind: 'VerticalScale',
      resources,
    });
    expect(
      planOperation(input({ resources }, { ...steady, resources: { limits: { cpu: '2', memory: '2Gi' } } }))
        .operation,
    ).toBeUndefined();
  });

  it('grows storage online when the class allows it, and says why not when it does not', () => {
    expect(planOperation(input({ storage: { size: '2Gi' } }, steady)).operation).toEqual({
      kind: 'VolumeExpand',
      from: '1Gi',
      to: '2Gi',
    });
    const refused = planOperation(
      input({ storage: { size: '2Gi', storageClassName: 'slow' } }, steady, { storageExpandable: false }),
    );
    expect(refused.operation).toBeUndefined();
    expect(refused.blockers[0]?.message).toBe(
      'spec.storage.size: cannot grow from 1Gi to 2Gi: StorageClass slow does not set allowVolumeExpansion; volumes are unchanged',
    );
  });

  it('reloads config when the rendered files change', () => {
    expect(planOperation(input({}, { ...steady, configChecksum: 'c0' })).operation).toEqual({
      kind: 'ConfigReload',
      checksum: 'c1',
    });
  });

  it('does one change at a time, upgrade first', () => {
    const plan = planOperation(
      input({ pluginVersion: 'v2', replicas: 5 }, { ...steady, configChecksum: 'c0' }),
    );
    expect(plan.operation?.kind).toBe('Upgrade');
  });
});
