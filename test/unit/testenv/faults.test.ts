import { describe, expect, it } from 'vitest';
import { outcomeFor, parseRules, stepName } from '../../../hack/testenv/simulation/faults.ts';

describe('simulated step faults (namespace annotation sim.mwop.dev/steps)', () => {
  it('takes the step name from an Argo node name, without retry or loop suffixes', () => {
    expect(stepName('cache-upgrade-2.pre-check')).toBe('pre-check');
    expect(stepName('cache-upgrade-2.pre-check(1)')).toBe('pre-check');
    expect(stepName('cache-restart-4.roll(0:2).restart')).toBe('restart');
    expect(stepName('cache-create-1')).toBe('cache-create-1');
  });

  it('fails, hangs or runs a step by the first matching rule', () => {
    const rules = parseRules(
      JSON.stringify([
        { step: 'pre-check', outcome: 'fail', message: 'replica lag 30s', workflow: 'upgrade' },
        { step: 'wait-*', outcome: 'hang' },
        { step: 'pre-check', outcome: 'hang' },
      ]),
    );
    expect(outcomeFor(rules, 'cache-upgrade-2', 'cache-upgrade-2.pre-check')).toEqual({
      kind: 'fail',
      message: 'replica lag 30s',
    });
    expect(outcomeFor(rules, 'cache-restart-2', 'cache-restart-2.pre-check')).toEqual({ kind: 'hang' });
    expect(outcomeFor(rules, 'cache-create-1', 'cache-create-1.wait-ready')).toEqual({ kind: 'hang' });
    expect(outcomeFor(rules, 'cache-create-1', 'cache-create-1.apply')).toEqual({ kind: 'run' });
    expect(outcomeFor([], 'w', 'w.x')).toEqual({ kind: 'run' });
  });

  it('gives a default message naming the annotation', () => {
    const rules = parseRules('[{"step":"backup","outcome":"fail"}]');
    expect(outcomeFor(rules, 'w', 'w.backup')).toEqual({
      kind: 'fail',
      message: 'step backup failed (sim.mwop.dev/steps)',
    });
  });

  it('rejects a malformed annotation with the field path and the value', () => {
    expect(() => parseRules('{')).toThrow(/sim.mwop.dev\/steps: not JSON/);
    expect(() => parseRules('{"step":"x"}')).toThrow(/expected a JSON array/);
    expect(() => parseRules('[{"outcome":"fail"}]')).toThrow(
      /\[0\]\.step: expected a step name \(got undefined\)/,
    );
    expect(() => parseRules('[{"step":"x","outcome":"explode"}]')).toThrow(
      /\[0\]\.outcome: expected fail or hang \(got "explode"\)/,
    );
    expect(parseRules(undefined)).toEqual([]);
  });
});
