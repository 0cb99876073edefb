// A restore that cannot be planned reaches the instance status, not only an event.
import { describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { computeInstanceStatus, type StatusInput } from '../../../src/controllers/instance/status.ts';

const applied = { replicas: 1, pluginVersion: 'v1', middlewareVersion: '8.0.43', storageSize: '1Gi' };
const input = (over: Partial<StatusInput> = {}): StatusInput => ({
  instance: {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: 'orders', namespace: 'team-a', generation: 1 },
    spec: {
      type: 'mysql',
      pluginVersion: 'v1',
      replicas: 1,
      storage: { size: '1Gi' },
      restoreFrom: { backup: 'cache-1' },
    },
    status: { applied },
  } as MiddlewareInstance,
  now: '2026-11-29T05:00:00Z',
  deleting: false,
  blockers: [],
  podProblems: [],
  succeeded: true,
  workload: { replicas: 1, readyReplicas: 1 },
  ...over,
});
const why = 'spec.restoreFrom.backup: backup cache-1 is of type redis, but this instance is mysql';

describe('computeInstanceStatus with a planning error', () => {
  it('SpecApplied is False with reason RestorePlanningFailed and the message names the field', () => {
    const s = computeInstanceStatus(input({ planError: { type: 'Restore', message: why } }));
    expect(s.conditions?.find((c) => c.type === 'SpecApplied')).toMatchObject({
      status: 'False',
      reason: 'RestorePlanningFailed',
      message: `Restore cannot start: ${why}`,
    });
    expect(s.message).toBe(`Restore cannot start: ${why}`);
    // The members still serve: the phase stays Running, but not Ready-and-applied silently.
    expect(s.phase).toBe('Running');
  });

  it('without a planning error nothing of it remains', () => {
    const failed = computeInstanceStatus(input({ planError: { type: 'Restore', message: why } }));
    const fixed = computeInstanceStatus(input({ instance: { ...input().instance, status: failed } }));
    expect(fixed.conditions?.find((c) => c.type === 'SpecApplied')).toMatchObject({
      status: 'True',
      reason: 'Applied',
    });
    expect(fixed.message).toBe('running');
  });
});
