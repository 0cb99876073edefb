import { describe, expect, it } from 'vitest';
import { mergePatchBetween } from '../../../src/kube/merge-patch.ts';

describe('mergePatchBetween', () => {
  it('is undefined for equal objects, so no write happens', () => {
    expect(mergePatchBetween({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).toBeUndefined();
  });
  it('sets removed keys to null, recursing into objects', () => {
    expect(
      mergePatchBetween(
        { phase: 'Scaling', operations: { current: { name: 'x' }, recent: [] } },
        { phase: 'Running', operations: { recent: [] } },
      ),
    ).toEqual({ phase: 'Running', operations: { current: null } });
  });
  it('replaces arrays whole and adds new keys', () => {
    expect(mergePatchBetween({ list: [1, 2] }, { list: [2], extra: { x: 1 } })).toEqual({
      list: [2],
      extra: { x: 1 },
    });
  });
  it('ignores key order inside arrays of objects, as the apiserver sorts keys (issue #13)', () => {
    const live = {
      conditions: [
        {
          lastTransitionTime: 't',
          message: 'm',
          observedGeneration: 1,
          reason: 'r',
          status: 'True',
          type: 'Ready',
        },
      ],
      operations: { recent: [{ name: 'x', phase: 'Succeeded' }] },
    };
    const computed = {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'r',
          message: 'm',
          observedGeneration: 1,
          lastTransitionTime: 't',
        },
      ],
      operations: { recent: [{ phase: 'Succeeded', name: 'x', extra: undefined }] },
    };
    expect(mergePatchBetween(live, computed)).toBeUndefined();
    computed.conditions[0]!.status = 'False';
    expect(mergePatchBetween(live, computed)).toEqual({ conditions: computed.conditions });
    expect(mergePatchBetween({ list: [1, 2] }, { list: [2, 1] })).toEqual({ list: [2, 1] });
  });
});
