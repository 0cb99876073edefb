import { describe, expect, it } from 'vitest';
import { bindingName, checkExisting, parseQuota, planTenant } from '../../../src/cli/commands/tenant.ts';

describe('kubectl mw tenant init planning', () => {
  it('parses --quota into ResourceQuota hard limits', () => {
    expect(parseQuota('cpu=4, memory=8Gi,requests.storage=100Gi,pods=20')).toEqual({
      cpu: '4',
      memory: '8Gi',
      'requests.storage': '100Gi',
      pods: '20',
    });
  });

  it('names the bad pair and what is accepted', () => {
    expect(() => parseQuota('cpu')).toThrow('--quota: "cpu" has no value');
    expect(() => parseQuota('cpu=lots')).toThrow('--quota: cpu=lots: "lots" is not a quantity');
    expect(() => parseQuota('CPU Max=1')).toThrow('is not a ResourceQuota resource name');
  });

  it('dedicated: namespace labelled with its tenant, the group bound to mwop-edit, the quota', () => {
    const objs = planTenant({ namespace: 'team-a', mode: 'dedicated', group: 'Team A', quota: { cpu: '4' } });
    expect(objs.map((o) => o.what)).toEqual([
      'namespace/team-a',
      'rolebinding/mwop-edit-team-a (group Team A -> clusterrole mwop-edit)',
      'resourcequota/mwop-tenant (cpu=4)',
    ]);
    expect(objs[0]!.body).toMatchObject({
      metadata: { labels: { 'mwop.dev/tenancy': 'dedicated', 'mwop.dev/tenant': 'team-a' } },
    });
    expect(objs[1]!.body).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'mwop-edit' },
      subjects: [{ kind: 'Group', name: 'Team A' }],
    });
  });

  it('shared: no tenant label, no quota unless asked', () => {
    const objs = planTenant({ namespace: 'shared', mode: 'shared', group: 'devs' });
    expect(objs).toHaveLength(2);
    expect(
      (objs[0]!.body.metadata as { labels: Record<string, string> }).labels['mwop.dev/tenant'],
    ).toBeUndefined();
    expect(bindingName('system:authenticated')).toBe('mwop-edit-system-authenticated');
  });

  it('refuses another team in a dedicated namespace and a change of mode', () => {
    const dedicated = { 'mwop.dev/tenancy': 'dedicated', 'mwop.dev/tenant': 'team-a' };
    expect(() => checkExisting('ns', 'dedicated', 'team-a', dedicated)).not.toThrow();
    expect(() => checkExisting('ns', 'dedicated', 'team-b', dedicated)).toThrow(
      'namespace ns is the dedicated namespace of group team-a',
    );
    expect(() => checkExisting('ns', 'shared', 'team-b', dedicated)).toThrow(
      'namespace ns is already set up in dedicated mode',
    );
    expect(() => checkExisting('ns', 'shared', 'x', { 'mwop.dev/tenancy': 'shared' })).not.toThrow();
    expect(() => checkExisting('ns', 'dedicated', 'x', undefined)).not.toThrow();
  });
});
