import { describe, expect, it } from 'vitest';
import { chain, step, tails, toTasks } from '../../../src/workflows/dag.ts';

const t = { templateRef: { name: 'x', template: 'y', clusterScope: true } };

describe('toTasks', () => {
  it('rewires around skipped steps, through several in a row', () => {
    const steps = chain([
      step('a', [], t),
      step('b', [], undefined),
      step('c', [], undefined),
      step('d', [], t),
    ]);
    expect(toTasks(steps).map((x) => [x.name, x.depends])).toEqual([
      ['a', undefined],
      ['d', 'a'],
    ]);
  });

  it('a skipped fan-in passes on all of its dependencies', () => {
    const steps = [
      step('a', [], t),
      step('b', [], t),
      step('join', ['a', 'b'], undefined),
      step('after', ['join'], t),
    ];
    expect(toTasks(steps).find((x) => x.name === 'after')?.depends).toBe('a && b');
  });

  it('names unknown dependencies, cycles and duplicates', () => {
    expect(() => toTasks([step('a', ['ghost'], t)])).toThrow(
      'workflow step a depends on ghost, which is not a step',
    );
    expect(() =>
      toTasks([step('a', ['b'], undefined), step('b', ['a'], undefined), step('c', ['a'], t)]),
    ).toThrow(/cycle: c -> a -> b -> a/);
    expect(() => toTasks([step('a', [], t), step('a', [], t)])).toThrow(
      'workflow step names must be unique: a appears twice',
    );
  });

  it('tails are the steps nothing waits for', () => {
    expect(tails([step('a', [], t), step('b', ['a'], t), step('c', ['a'], t)])).toEqual(['b', 'c']);
  });
});
