// The permissions table is the operator's RBAC: it must name every kind the client can reach
// (src/kube/gvr.ts) and nothing the client cannot, and it must cover what the operator grants to
// workflows, since we do not give it `escalate` or `bind`.
import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../../src/kube/gvr.ts';
import {
  leaderElectionRules,
  OPERATOR_PERMISSIONS,
  operatorClusterRules,
  rulesCover,
} from '../../../src/kube/permissions.ts';
import { WORKFLOW_RULES } from '../../../src/workflows/rbac.ts';

const key = (group: string, resource: string) => `${group || 'core'}/${resource}`;
const gvrKeys = new Set(Object.values(RESOURCE_TYPES).map((rt) => key(rt.group, rt.plural)));
const base = (resource: string) => resource.split('/')[0]!;

describe('OPERATOR_PERMISSIONS against the gvr table', () => {
  it('has a row for every kind in src/kube/gvr.ts', () => {
    const rows = new Set(OPERATOR_PERMISSIONS.map((p) => key(p.apiGroup, p.resource)));
    const missing = [...gvrKeys].filter((k) => !rows.has(k));
    expect(missing, 'kinds the client can reach without a permission row').toEqual([]);
  });

  it('has no row the client cannot reach, unless the row says why', () => {
    const strays = OPERATOR_PERMISSIONS.filter(
      (p) => !p.outsideGvr && !gvrKeys.has(key(p.apiGroup, base(p.resource))),
    ).map((p) => key(p.apiGroup, p.resource));
    expect(strays, 'rows whose kind is not in src/kube/gvr.ts').toEqual([]);
    // The exceptions really are outside the table (otherwise the note is stale).
    for (const p of OPERATOR_PERMISSIONS.filter((x) => x.outsideGvr)) {
      expect(gvrKeys.has(key(p.apiGroup, base(p.resource))), key(p.apiGroup, p.resource)).toBe(false);
    }
  });

  it('covers status and finalizers of all five mwop.dev kinds', () => {
    const rows = new Set(OPERATOR_PERMISSIONS.map((p) => key(p.apiGroup, p.resource)));
    const ours = Object.values(RESOURCE_TYPES).filter((rt) => rt.group === 'mwop.dev');
    expect(ours).toHaveLength(5);
    for (const rt of ours) {
      expect(rows.has(key('mwop.dev', `${rt.plural}/status`)), `${rt.plural}/status`).toBe(true);
      expect(rows.has(key('mwop.dev', `${rt.plural}/finalizers`)), `${rt.plural}/finalizers`).toBe(true);
    }
  });

  it('has one row per resource, a one-line reason each, and no wildcard or escalating verb', () => {
    const seen = new Set<string>();
    for (const p of OPERATOR_PERMISSIONS) {
      const k = key(p.apiGroup, p.resource);
      expect(seen.has(k), `duplicate row ${k}`).toBe(false);
      seen.add(k);
      expect(p.reason.trim().length, k).toBeGreaterThan(10);
      expect(p.reason, k).not.toContain('\n');
      expect(p.verbs.length, k).toBeGreaterThan(0);
      for (const v of p.verbs as string[]) {
        expect(['*', 'escalate', 'bind', 'impersonate'], `${k}: ${v}`).not.toContain(v);
      }
      expect(p.resource, k).not.toContain('*');
    }
  });

  it('puts only leases in the leader-election Role, and leases nowhere else', () => {
    expect(leaderElectionRules()).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]);
    expect(operatorClusterRules().some((r) => r.resources?.includes('leases'))).toBe(false);
  });

  it('only reads quotas, storage classes, namespaces and CRDs', () => {
    for (const [group, resource] of [
      ['', 'resourcequotas'],
      ['storage.k8s.io', 'storageclasses'],
      ['', 'namespaces'],
      ['apiextensions.k8s.io', 'customresourcedefinitions'],
    ] as const) {
      const row = OPERATOR_PERMISSIONS.find((p) => p.apiGroup === group && p.resource === resource);
      expect(row?.verbs, resource).toEqual(['get', 'list', 'watch']);
    }
  });
});

describe('workflow RBAC without escalate or bind', () => {
  it('the operator ClusterRole holds every rule of the workflow Role it creates', () => {
    expect(rulesCover(operatorClusterRules(), WORKFLOW_RULES)).toEqual([]);
  });

  it('rulesCover names what is missing, and ignores rules limited by resourceNames', () => {
    expect(
      rulesCover(
        [
          { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
          { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['patch'], resourceNames: ['one'] },
        ],
        [
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] },
          { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['patch'] },
        ],
      ),
    ).toEqual(['core/pods: delete', 'apps/statefulsets: patch']);
  });
});
