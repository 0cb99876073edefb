import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../../src/workflows/index.ts';
import { planCancel, planWorkflow, renderWorkflowRbac } from '../../../src/workflows/index.ts';
import { instance, plugin } from './support/fixtures.ts';

const NOW = '2026-11-29T03:30:00Z';
const running = (): Workflow => ({
  ...planWorkflow({ kind: 'Restart' }, plugin(), instance(2)),
  status: { phase: 'Running', startedAt: '2026-11-29T03:00:00Z' },
});

describe('planCancel', () => {
  it('terminates a running workflow and says who cancelled it', () => {
    const plan = planCancel(running(), {
      requestedBy: 'annotation mwop.dev/cancel on team-a/cache',
      now: NOW,
      observedGeneration: 4,
    });
    expect(plan.patch).toEqual({ spec: { shutdown: 'Terminate' } });
    expect(plan.condition).toEqual({
      type: 'OperationCancelled',
      status: 'True',
      reason: 'Cancelled',
      observedGeneration: 4,
      lastTransitionTime: NOW,
      message:
        'restart workflow cache-restart-g4 cancelled by annotation mwop.dev/cancel on team-a/cache after 0/3 steps (spec.shutdown: Terminate); the instance keeps what earlier operations applied',
    });
  });

  it('can stop instead (exit handlers run)', () => {
    expect(planCancel(running(), { requestedBy: 'x', now: NOW, strategy: 'Stop' }).patch).toEqual({
      spec: { shutdown: 'Stop' },
    });
  });

  it('does not patch a finished workflow or one already stopping', () => {
    const done = { ...running(), status: { phase: 'Succeeded' as const } };
    const a = planCancel(done, { requestedBy: 'x', now: NOW });
    expect(a.patch).toBeUndefined();
    expect(a.condition).toMatchObject({ status: 'False', reason: 'AlreadyFinished' });
    const stopping = running();
    stopping.spec.shutdown = 'Terminate';
    expect(planCancel(stopping, { requestedBy: 'x', now: NOW })).toMatchObject({
      condition: { reason: 'Cancelling' },
    });
    expect(planCancel(stopping, { requestedBy: 'x', now: NOW }).patch).toBeUndefined();
  });

  it('refuses an unknown strategy, naming what is accepted', () => {
    expect(() => planCancel(running(), { requestedBy: 'x', now: NOW, strategy: 'Kill' as never })).toThrow(
      'mwop.dev/cancel: "Kill" is not a shutdown strategy; accepted: Terminate or Stop',
    );
  });

  it('no generated workflow carries a finalizer', () => {
    expect(running().metadata).not.toHaveProperty('finalizers');
  });
});

describe('renderWorkflowRbac', () => {
  it('binds the workflow ServiceAccount to a Role in the namespace', () => {
    const rbac = renderWorkflowRbac('team-a');
    expect(rbac.serviceAccount.metadata).toMatchObject({ name: 'mwop-workflow', namespace: 'team-a' });
    expect(rbac.roleBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'mwop-workflow',
    });
    expect(rbac.roleBinding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'mwop-workflow', namespace: 'team-a' },
    ]);
  });

  it('grants only what the steps need', () => {
    const rules = renderWorkflowRbac('team-a').role.rules;
    const can = (group: string, resource: string, verb: string) =>
      rules.some(
        (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
      );
    expect(can('apps', 'statefulsets', 'patch')).toBe(true);
    expect(can('', 'persistentvolumeclaims', 'delete')).toBe(true);
    expect(can('', 'configmaps', 'patch')).toBe(true);
    expect(can('argoproj.io', 'workflowtaskresults', 'create')).toBe(true);
    expect(can('argoproj.io', 'workflowtasksets/status', 'patch')).toBe(true);
    expect(can('', 'secrets', 'get')).toBe(false);
    expect(can('', 'pods', 'delete')).toBe(true);
    expect(can('', 'pods', 'create')).toBe(false);
    expect(rules.some((r) => r.verbs.includes('*') || r.resources.includes('*'))).toBe(false);
  });

  it("gives the account the token Secret Argo's agent pod mounts (<account>.service-account-token)", () => {
    expect(renderWorkflowRbac('team-a').tokenSecret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: {
        name: 'mwop-workflow.service-account-token',
        namespace: 'team-a',
        labels: { 'app.kubernetes.io/managed-by': 'mwop' },
        annotations: { 'kubernetes.io/service-account.name': 'mwop-workflow' },
      },
    });
  });

  it('names the field for a bad namespace', () => {
    expect(() => renderWorkflowRbac('Team_A')).toThrow(
      'namespace: "Team_A" is not a valid namespace name; accepted: a DNS label of at most 63 characters',
    );
  });
});
