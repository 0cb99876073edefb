import { describe, expect, it } from 'vitest';
import {
  ConditionSyntaxError,
  matchConditions,
  parseConditions,
  valueAt,
} from '../../../hack/testenv/simulation/conditions.ts';

const sts = { spec: { replicas: 3 }, status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3 } };

describe('parseConditions (Argo resource successCondition syntax)', () => {
  it('parses the conditions our templates use', () => {
    expect(parseConditions('status.replicas == 3, status.readyReplicas == 3')).toEqual([
      { key: 'status.replicas', operator: '==', values: ['3'] },
      { key: 'status.readyReplicas', operator: '==', values: ['3'] },
    ]);
    expect(parseConditions('status.updatedReplicas > 1')).toEqual([
      { key: 'status.updatedReplicas', operator: '>', values: ['1'] },
    ]);
    expect(parseConditions('status.phase in (Bound, Pending),!status.error, metadata.name')).toEqual([
      { key: 'status.phase', operator: 'in', values: ['Bound', 'Pending'] },
      { key: 'status.error', operator: '!', values: [] },
      { key: 'metadata.name', operator: 'exists', values: [] },
    ]);
    expect(parseConditions('')).toEqual([]);
  });

  it('refuses what labels.Parse refuses, naming the part', () => {
    expect(() => parseConditions('status.replicas > three')).toThrow(ConditionSyntaxError);
    expect(() => parseConditions('status.replicas > three')).toThrow(/needs an integer/);
    expect(() => parseConditions('status.message == has space')).toThrow(
      /cannot parse 'status.message == has space'/,
    );
    expect(() => parseConditions('status.x == -bad-')).toThrow(/not a valid label value/);
  });
});

describe('matchConditions', () => {
  it('waits while a success condition is unmet and names it', () => {
    const out = matchConditions(sts, parseConditions('status.replicas == 3, status.readyReplicas == 3'), []);
    expect(out).toEqual({ state: 'waiting', unmet: ['status.readyReplicas==3'] });
  });

  it('succeeds when every success condition holds', () => {
    const ready = { ...sts, status: { ...sts.status, readyReplicas: 3 } };
    expect(
      matchConditions(ready, parseConditions('status.replicas == 3, status.readyReplicas == 3'), []),
    ).toEqual({
      state: 'succeeded',
    });
  });

  it('fails at once on a failure condition, even when success also holds', () => {
    const out = matchConditions(
      sts,
      parseConditions('status.replicas == 3'),
      parseConditions('status.readyReplicas < 3'),
    );
    expect(out).toEqual({
      state: 'failed',
      message: "failure condition 'status.readyReplicas<3' evaluated true",
    });
  });

  it('compares integers numerically and treats a missing path like a missing label', () => {
    expect(matchConditions(sts, parseConditions('status.updatedReplicas > 2'), []).state).toBe('succeeded');
    expect(matchConditions(sts, parseConditions('status.updatedReplicas > 10'), []).state).toBe('waiting');
    expect(matchConditions({}, parseConditions('status.replicas == 0'), []).state).toBe('waiting');
    expect(matchConditions({}, parseConditions('status.replicas != 0'), []).state).toBe('succeeded');
    expect(matchConditions({}, parseConditions('status.replicas > 0'), []).state).toBe('waiting');
  });

  it('reads nested values and quantities as strings', () => {
    const pvc = { status: { capacity: { storage: '2Gi' } } };
    expect(valueAt(pvc, 'status.capacity.storage')).toBe('2Gi');
    expect(matchConditions(pvc, parseConditions('status.capacity.storage == 2Gi'), []).state).toBe(
      'succeeded',
    );
    expect(valueAt({ a: [{ b: 1 }] }, 'a.0.b')).toBe('1');
  });
});
