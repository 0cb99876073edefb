import { describe, expect, it } from 'vitest';
import { AppliedMemo } from '../../../src/kube/applied-memo.ts';

const cm = (data: Record<string, string>, name = 'cache-config') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: 'team-a', name },
  data,
});

function memo(start = 1_000_000) {
  let now = start;
  const m = new AppliedMemo({ refreshMs: 60_000, jitter: 0.25, now: () => now, random: () => 0.5 });
  return { m, advance: (ms: number) => (now += ms) };
}

describe('AppliedMemo', () => {
  it('skips exactly the object that was applied, and nothing else', () => {
    const { m } = memo();
    expect(m.isFresh('team-a/cache', cm({ a: '1' }))).toBe(false);
    m.record('team-a/cache', cm({ a: '1' }));
    expect(m.isFresh('team-a/cache', cm({ a: '1' }))).toBe(true);
    expect(m.isFresh('team-a/cache', cm({ a: '2' }))).toBe(false); // rendered differently: apply
    expect(m.isFresh('team-a/cache', cm({ a: '1' }, 'other'))).toBe(false);
    expect(m.isFresh('team-a/other', cm({ a: '1' }))).toBe(false); // another owner
  });

  it('comes due again after refreshMs, so drift in unwatched objects is repaired', () => {
    const { m, advance } = memo();
    m.record('team-a/cache', cm({ a: '1' }));
    advance(59_000);
    expect(m.isFresh('team-a/cache', cm({ a: '1' }))).toBe(true);
    advance(2_000);
    expect(m.isFresh('team-a/cache', cm({ a: '1' }))).toBe(false);
  });

  it('spreads expiries by the jitter so entries recorded together do not come due together', () => {
    let now = 0;
    let r = 0;
    const m = new AppliedMemo({ refreshMs: 100_000, jitter: 0.25, now: () => now, random: () => r });
    r = 0; // expires at 75 s
    m.record('o', cm({ a: '1' }, 'early'));
    r = 0.999; // expires just under 125 s
    m.record('o', cm({ a: '1' }, 'late'));
    now = 80_000;
    expect(m.isFresh('o', cm({ a: '1' }, 'early'))).toBe(false);
    expect(m.isFresh('o', cm({ a: '1' }, 'late'))).toBe(true);
  });

  it('compares a version when given: a StatefulSet changed by someone else is applied again', () => {
    const { m } = memo();
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { namespace: 'n', name: 's' },
      spec: {},
    };
    m.record('n/s', sts, { version: '3' });
    expect(m.isFresh('n/s', sts, '3')).toBe(true);
    expect(m.isFresh('n/s', sts, '4')).toBe(false);
    expect(m.isFresh('n/s', sts, 'undefined')).toBe(false); // not in the cache any more
  });

  it('knows an object found by a read without claiming its content is applied', () => {
    const { m, advance } = memo();
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'n', name: 'x-credentials' } };
    expect(m.knows('n/x', secret)).toBe(false);
    m.record('n/x', secret, { exact: false });
    expect(m.knows('n/x', secret)).toBe(true);
    expect(m.isFresh('n/x', secret)).toBe(false);
    advance(61_000);
    expect(m.knows('n/x', secret)).toBe(false);
  });

  it('forgets everything of an owner (an operation starts or ends)', () => {
    const { m } = memo();
    m.record('team-a/cache', cm({ a: '1' }));
    m.record('team-a/cache', cm({ a: '1' }, 'svc'));
    m.record('team-a/other', cm({ a: '1' }));
    expect(m.size).toBe(3);
    m.forget('team-a/cache');
    expect(m.isFresh('team-a/cache', cm({ a: '1' }))).toBe(false);
    expect(m.isFresh('team-a/other', cm({ a: '1' }))).toBe(true);
    expect(m.size).toBe(1);
  });
});
