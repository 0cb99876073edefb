import type { V1ResourceQuota } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { instanceFootprint } from '../../../src/render/resources.ts';
import { checkQuotas } from '../../../src/webhook/quota.ts';
import { instance, plugin } from '../render/fixtures.ts';

// 1984Mi for the member + 64Mi for the agent: 2Gi of requests.memory per pod, 6Gi for three.
const spec = (over: Partial<MiddlewareInstance['spec']> = {}) =>
  instance({ resources: { requests: { memory: '1984Mi' } }, ...over });
const footprint = (over: Partial<MiddlewareInstance['spec']> = {}, backupDue = false) =>
  instanceFootprint({ instance: spec(over), plugin: plugin(), backupDue });

function quota(
  name: string,
  hard: Record<string, string>,
  used: Record<string, string> = {},
  extra: Partial<NonNullable<V1ResourceQuota['spec']>> = {},
): V1ResourceQuota {
  return {
    metadata: { name, namespace: 'team-a' },
    spec: { hard, ...extra },
    status: { hard, used },
  };
}

describe('checkQuotas on create', () => {
  it('names the quota, the resource, the request and what is available', () => {
    const { violations } = checkQuotas(footprint(), [
      quota('team-a', { 'requests.memory': '8Gi' }, { 'requests.memory': '6Gi' }),
    ]);
    expect(violations.map((v) => v.message)).toEqual([
      'exceeded quota "team-a": requests.memory: requested 6Gi, available 2Gi (hard 8Gi, used 6Gi)',
    ]);
    expect(violations[0]).toMatchObject({ quota: 'team-a', resource: 'requests.memory' });
  });

  it('admits an instance that fits exactly', () => {
    const res = checkQuotas(footprint(), [
      quota('team-a', { 'requests.memory': '8Gi' }, { 'requests.memory': '2Gi' }),
    ]);
    expect(res).toEqual({ violations: [], notes: [] });
  });

  it('reports every resource of every quota that is exceeded, in a stable order', () => {
    const res = checkQuotas(
      footprint({ serviceType: 'LoadBalancer', storage: { size: '10Gi', storageClassName: 'fast' } }),
      [
        quota('zz-storage', {
          'requests.storage': '100Gi',
          'fast.storageclass.storage.k8s.io/requests.storage': '20Gi',
        }),
        quota(
          'compute',
          { cpu: '500m', pods: '10', 'limits.memory': '4Gi' },
          { pods: '8', 'limits.memory': '1Gi' },
        ),
        quota('lb', { 'services.loadbalancers': '0', 'services.nodeports': '5' }),
      ],
    );
    expect(res.violations.map((v) => v.message)).toEqual([
      'exceeded quota "compute": cpu: requested 900m, available 500m (hard 500m, used 0)',
      'exceeded quota "compute": limits.memory: requested 3456Mi, available 3Gi (hard 4Gi, used 1Gi)',
      'exceeded quota "compute": pods: requested 3, available 2 (hard 10, used 8)',
      'exceeded quota "lb": services.loadbalancers: requested 1, available 0 (hard 0, used 0)',
      'exceeded quota "zz-storage": fast.storageclass.storage.k8s.io/requests.storage: requested 30Gi, available 20Gi (hard 20Gi, used 0)',
    ]);
  });

  it('shows nothing below zero as available when a quota is already overspent', () => {
    const { violations } = checkQuotas(footprint(), [quota('q', { pods: '2' }, { pods: '5' })]);
    expect(violations[0]?.message).toBe(
      'exceeded quota "q": pods: requested 3, available 0 (hard 2, used 5)',
    );
  });

  it("counts the backup tool's share when a backup is due", () => {
    const q = [quota('q', { pods: '3' })];
    expect(checkQuotas(footprint(), q).violations).toEqual([]);
    expect(checkQuotas(footprint({}, true), q).violations[0]?.message).toBe(
      'exceeded quota "q": pods: requested 4, available 3 (hard 3, used 0)',
    );
  });

  it('takes usage as zero, with a note, for a quota the controller has not counted yet', () => {
    const q: V1ResourceQuota = { metadata: { name: 'fresh' }, spec: { hard: { pods: '2' } } };
    const res = checkQuotas(footprint(), [q]);
    expect(res.violations[0]?.message).toBe(
      'exceeded quota "fresh": pods: requested 3, available 2 (hard 2, used 0)',
    );
    expect(res.notes).toEqual([
      'quota "fresh" has no status yet; its usage is taken as zero until the quota controller counts it',
    ]);
  });

  it('ignores resources the instance does not use', () => {
    const res = checkQuotas(footprint(), [
      quota('q', { 'requests.nvidia.com/gpu': '0', 'count/jobs.batch': '0' }),
    ]);
    expect(res.violations).toEqual([]);
  });

  it('notes a tracked resource that some container leaves unset', () => {
    const fp = instanceFootprint({ instance: instance({ replicas: 1 }), plugin: plugin({ presets: [] }) });
    const res = checkQuotas(fp, [quota('q', { 'limits.cpu': '10' })]);
    expect(res.violations).toEqual([]);
    expect(res.notes).toEqual([
      'quota "q" tracks limits.cpu, but the member pods leave limits.cpu unset in some container: the API server refuses such pods unless a LimitRange gives a default; set spec.resources.limits.cpu',
    ]);
  });
});

describe('checkQuotas on update', () => {
  it('counts only the growth over the current footprint', () => {
    const q = [quota('team-a', { 'requests.memory': '7Gi' }, { 'requests.memory': '6Gi' })];
    const res = checkQuotas(footprint({ replicas: 4 }), q, { current: footprint({ replicas: 3 }) });
    expect(res.violations.map((v) => v.message)).toEqual([
      'exceeded quota "team-a": requests.memory: requested 2Gi more, available 1Gi (hard 7Gi, used 6Gi)',
    ]);
  });

  it('admits growth that fits, and any shrink even when the quota is overspent', () => {
    const q = [
      quota('team-a', { 'requests.memory': '8Gi', pods: '3' }, { 'requests.memory': '6Gi', pods: '3' }),
    ];
    expect(
      checkQuotas(footprint({ replicas: 3 }), q, { current: footprint({ replicas: 3 }) }).violations,
    ).toEqual([]);
    const over = [quota('team-a', { pods: '1' }, { pods: '3' })];
    expect(
      checkQuotas(footprint({ replicas: 2 }), over, { current: footprint({ replicas: 3 }) }).violations,
    ).toEqual([]);
  });

  it('counts storage growth per member', () => {
    const q = [quota('s', { 'requests.storage': '40Gi' }, { 'requests.storage': '30Gi' })];
    const res = checkQuotas(footprint({ storage: { size: '15Gi' } }), q, { current: footprint() });
    expect(res.violations[0]?.message).toBe(
      'exceeded quota "s": requests.storage: requested 15Gi more, available 10Gi (hard 40Gi, used 30Gi)',
    );
  });
});

describe('checkQuotas with scopes', () => {
  it('NotTerminating sees the members, Terminating sees the backup tool pod', () => {
    const fp = footprint({}, true);
    const res = checkQuotas(fp, [
      quota('long', { pods: '2', 'requests.storage': '1Gi' }, {}, { scopes: ['NotTerminating'] }),
      quota('short', { pods: '0', 'limits.cpu': '10' }, {}, { scopes: ['Terminating'] }),
    ]);
    expect(res.violations.map((v) => v.message)).toEqual([
      // A scoped quota tracks pods only: requests.storage is not its business.
      'exceeded quota "long": pods: requested 3, available 2 (hard 2, used 0)',
      'exceeded quota "short": pods: requested 1, available 0 (hard 0, used 0)',
    ]);
  });

  it('BestEffort never matches our pods; NotBestEffort and scopeSelector Exists do', () => {
    const res = checkQuotas(footprint(), [
      quota('be', { pods: '0' }, {}, { scopes: ['BestEffort'] }),
      quota(
        'nbe',
        { 'requests.memory': '1Gi' },
        {},
        {
          scopeSelector: { matchExpressions: [{ scopeName: 'NotBestEffort', operator: 'Exists' }] },
        },
      ),
    ]);
    expect(res.violations.map((v) => v.message)).toEqual([
      'exceeded quota "nbe": requests.memory: requested 6Gi, available 1Gi (hard 1Gi, used 0)',
    ]);
  });

  it('CrossNamespacePodAffinity never matches: our pods have no cross-namespace affinity', () => {
    const res = checkQuotas(footprint(), [
      quota('x', { pods: '0' }, {}, { scopes: ['CrossNamespacePodAffinity'] }),
    ]);
    expect(res).toEqual({ violations: [], notes: [] });
  });

  it('leaves out, with a note, a quota whose scope cannot be judged before the pods exist', () => {
    const res = checkQuotas(footprint(), [
      quota(
        'prio',
        { pods: '0' },
        {},
        {
          scopeSelector: {
            matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }],
          },
        },
      ),
      quota(
        'vac',
        { persistentvolumeclaims: '0' },
        {},
        {
          scopeSelector: { matchExpressions: [{ scopeName: 'VolumeAttributesClass', operator: 'Exists' }] },
        },
      ),
    ]);
    expect(res.violations).toEqual([]);
    expect(res.notes).toEqual([
      'quota "prio" has scope PriorityClass, which cannot be judged before the pods exist; the API server enforces it when they are created',
      'quota "vac" has scope VolumeAttributesClass, which cannot be judged before the pods exist; the API server enforces it when they are created',
    ]);
  });
});
