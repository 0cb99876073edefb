import { describe, expect, it } from 'vitest';
import type { BackupPhase, MiddlewareBackup } from '../../../src/api/index.ts';
import {
  candidateFromBackup,
  parseRetention,
  type RetentionCandidate,
  type RetentionPolicy,
  retentionVictims,
} from '../../../src/backup/retention.ts';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.parse('2026-06-01T00:00:00Z');

/** A backup `ageH` hours old. */
function b(name: string, phase: BackupPhase | undefined, ageH: number, pinned = false): RetentionCandidate {
  return { name, phase, time: NOW - ageH * H, pinned };
}

describe('retentionVictims: table', () => {
  const cases: {
    name: string;
    backups: RetentionCandidate[];
    policy: RetentionPolicy;
    victims: [string, string][];
  }[] = [
    { name: 'empty list', backups: [], policy: { maxCount: 3, maxAgeMs: D }, victims: [] },
    {
      name: 'maxCount keeps the newest N successful',
      backups: [
        b('a', 'Succeeded', 4),
        b('b', 'Succeeded', 3),
        b('c', 'Succeeded', 2),
        b('d', 'Succeeded', 1),
      ],
      policy: { maxCount: 2 },
      victims: [
        ['a', 'maxCount'],
        ['b', 'maxCount'],
      ],
    },
    {
      name: 'maxAge deletes older successful backups',
      backups: [b('old', 'Succeeded', 49), b('mid', 'Succeeded', 47), b('new', 'Succeeded', 1)],
      policy: { maxAgeMs: 2 * D },
      victims: [['old', 'maxAge']],
    },
    {
      name: 'exactly maxAge old is kept',
      backups: [b('edge', 'Succeeded', 48), b('new', 'Succeeded', 1)],
      policy: { maxAgeMs: 2 * D },
      victims: [],
    },
    {
      name: 'the only backup is never deleted, however old (Velero #5381)',
      backups: [b('only', 'Succeeded', 24 * 365)],
      policy: { maxCount: 1, maxAgeMs: H },
      victims: [],
    },
    {
      name: 'the newest successful survives when all are too old; the rest go',
      backups: [b('a', 'Succeeded', 100), b('b', 'Succeeded', 90), b('c', 'Succeeded', 80)],
      policy: { maxAgeMs: D },
      victims: [
        ['a', 'maxAge'],
        ['b', 'maxAge'],
      ],
    },
    {
      name: 'both limits together: the stricter wins for each backup',
      backups: [
        b('a', 'Succeeded', 10),
        b('b', 'Succeeded', 30),
        b('c', 'Succeeded', 5),
        b('d', 'Succeeded', 1),
        b('e', 'Succeeded', 2),
      ],
      policy: { maxCount: 3, maxAgeMs: 8 * H },
      victims: [
        ['b', 'maxCount'],
        ['a', 'maxCount'],
      ],
    },
    {
      name: 'maxAge removes within the maxCount window',
      backups: [b('a', 'Succeeded', 30), b('b', 'Succeeded', 20), b('c', 'Succeeded', 1)],
      policy: { maxCount: 5, maxAgeMs: D },
      victims: [['a', 'maxAge']],
    },
    {
      name: 'failed backups do not count toward maxCount',
      backups: [
        b('f1', 'Failed', 1),
        b('f2', 'Failed', 2),
        b('ok1', 'Succeeded', 3),
        b('ok2', 'Succeeded', 4),
      ],
      policy: { maxCount: 2 },
      victims: [],
    },
    {
      name: 'a newer failed backup does not displace the newest successful one',
      backups: [b('f', 'Failed', 1), b('ok', 'Succeeded', 100)],
      policy: { maxCount: 1, maxAgeMs: D },
      victims: [],
    },
    {
      name: 'failed backups older than maxAge are victims, younger ones are kept',
      backups: [b('f-old', 'Failed', 30), b('f-new', 'Failed', 2), b('ok', 'Succeeded', 1)],
      policy: { maxAgeMs: D },
      victims: [['f-old', 'failedMaxAge']],
    },
    {
      name: 'failed backups are victims by age even when no successful backup exists',
      backups: [b('f-old', 'Failed', 30), b('f-new', 'Failed', 2)],
      policy: { maxCount: 1, maxAgeMs: D },
      victims: [['f-old', 'failedMaxAge']],
    },
    {
      name: 'with only maxCount, the newest maxCount failed backups are kept',
      backups: [b('f1', 'Failed', 1), b('f2', 'Failed', 2), b('f3', 'Failed', 3), b('ok', 'Succeeded', 4)],
      policy: { maxCount: 2 },
      victims: [['f3', 'failedMaxCount']],
    },
    {
      name: 'in-progress and deleting backups are never victims',
      backups: [
        b('p', 'Pending', 100),
        b('r', 'Running', 100),
        b('x', 'Deleting', 100),
        b('u', undefined, 100),
        b('ok', 'Succeeded', 1),
      ],
      policy: { maxCount: 1, maxAgeMs: H },
      victims: [],
    },
    {
      name: 'pinned backups are kept and not counted',
      backups: [
        b('pin-old', 'Succeeded', 1000, true),
        b('a', 'Succeeded', 3),
        b('b', 'Succeeded', 2),
        b('c', 'Succeeded', 1),
      ],
      policy: { maxCount: 2, maxAgeMs: 100 * D },
      victims: [['a', 'maxCount']],
    },
    {
      name: 'a pinned newest backup is not counted: the newest unpinned one fills maxCount',
      backups: [b('pin', 'Succeeded', 1, true), b('a', 'Succeeded', 50), b('b', 'Succeeded', 2)],
      policy: { maxCount: 1, maxAgeMs: 100 * D },
      victims: [['a', 'maxCount']],
    },
    {
      name: 'a pinned newest backup is the one kept by the newest rule: old unpinned ones age out',
      backups: [b('pin', 'Succeeded', 1, true), b('a', 'Succeeded', 50)],
      policy: { maxAgeMs: D },
      victims: [['a', 'maxAge']],
    },
    {
      name: 'same timestamp: ties broken by name, deterministically',
      backups: [b('b', 'Succeeded', 5), b('a', 'Succeeded', 5), b('c', 'Succeeded', 5)],
      policy: { maxCount: 1 },
      victims: [
        ['b', 'maxCount'],
        ['c', 'maxCount'],
      ],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const got = retentionVictims(c.backups, c.policy, NOW).map((v) => [v.name, v.reason]);
      expect(got).toEqual(c.victims);
    });
  }
});

// A small seeded PRNG (mulberry32), so a failing case reproduces from its seed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PHASES: (BackupPhase | undefined)[] = [
  'Succeeded',
  'Succeeded',
  'Succeeded',
  'Failed',
  'Running',
  'Pending',
  'Deleting',
  undefined,
];

function randomCase(rnd: () => number) {
  const n = Math.floor(rnd() * 25);
  const backups: RetentionCandidate[] = [];
  for (let i = 0; i < n; i++) {
    // Coarse times so ties happen often.
    backups.push(
      b(`bk-${i}`, PHASES[Math.floor(rnd() * PHASES.length)], Math.floor(rnd() * 20) * 6, rnd() < 0.1),
    );
  }
  const policy: RetentionPolicy = {};
  const mode = rnd();
  if (mode < 0.7) policy.maxCount = 1 + Math.floor(rnd() * 6);
  if (mode > 0.3) policy.maxAgeMs = (1 + Math.floor(rnd() * 60)) * H;
  return { backups, policy };
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Every invariant the policy must hold for one seeded random case; returns the violations. */
function violations(seed: number): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(`seed ${seed}: ${what}`);
  };
  const rnd = prng(seed);
  const { backups, policy } = randomCase(rnd);
  const victims = retentionVictims(backups, policy, NOW);
  const names = victims.map((v) => v.name);
  const victimSet = new Set(names);
  const byName = new Map(backups.map((x) => [x.name, x]));

  check(victimSet.size === names.length, 'a backup is listed twice');
  for (const n of names) {
    const v = byName.get(n);
    check(v !== undefined, `${n} is not an input backup`);
    check(v?.pinned === false, `pinned ${n} is a victim`);
    check(v?.phase === 'Succeeded' || v?.phase === 'Failed', `${n} in phase ${v?.phase} is a victim`);
  }

  const newestFirst = (x: RetentionCandidate, y: RetentionCandidate) =>
    y.time - x.time || (x.name < y.name ? -1 : 1);
  const succeeded = backups.filter((x) => x.phase === 'Succeeded').sort(newestFirst);
  const newest = succeeded[0];
  if (newest) {
    check(!victimSet.has(newest.name), `the newest successful backup ${newest.name} is a victim`);
  }
  const keptUnpinned = succeeded.filter((x) => !x.pinned && !victimSet.has(x.name));
  if (policy.maxCount !== undefined) {
    check(
      keptUnpinned.length <= policy.maxCount,
      `${keptUnpinned.length} kept > maxCount ${policy.maxCount}`,
    );
  }
  if (policy.maxAgeMs !== undefined) {
    for (const k of keptUnpinned) {
      check(k === newest || NOW - k.time <= policy.maxAgeMs, `kept ${k.name} is older than maxAge`);
    }
    for (const f of backups.filter((x) => x.phase === 'Failed' && !x.pinned)) {
      check(
        victimSet.has(f.name) === NOW - f.time > policy.maxAgeMs,
        `failed ${f.name}: victim iff older than maxAge`,
      );
    }
  }
  // Minimality: each successful victim was required by a limit.
  for (const v of victims) {
    const c = byName.get(v.name) as RetentionCandidate;
    if (v.reason === 'maxAge')
      check(NOW - c.time > (policy.maxAgeMs ?? Number.POSITIVE_INFINITY), `${v.name} is not too old`);
    if (v.reason === 'maxCount') {
      const newerKept = keptUnpinned.filter((k) => newestFirst(k, c) < 0).length;
      check(
        newerKept >= (policy.maxCount ?? Number.POSITIVE_INFINITY),
        `${v.name} deleted with only ${newerKept} newer kept`,
      );
    }
  }
  // Oldest first.
  for (let i = 1; i < names.length; i++) {
    const a = byName.get(names[i - 1] as string) as RetentionCandidate;
    const b2 = byName.get(names[i] as string) as RetentionCandidate;
    check(a.time < b2.time || (a.time === b2.time && a.name < b2.name), `order: ${a.name} before ${b2.name}`);
  }
  // Deterministic: input order does not matter.
  const again = retentionVictims(shuffle(backups, rnd), policy, NOW);
  check(JSON.stringify(again) === JSON.stringify(victims), 'result depends on input order');
  // Monotonic in time: later, the victims are a superset.
  const later = new Set(retentionVictims(backups, policy, NOW + 7 * H).map((v) => v.name));
  for (const n of names) check(later.has(n), `${n} is a victim now but not 7h later`);
  return out;
}

describe('retentionVictims: properties over 4000 seeded random cases', () => {
  for (let batch = 0; batch < 8; batch++) {
    const from = batch * 500 + 1;
    it(`holds every invariant for seeds ${from}..${from + 499}`, () => {
      const found: string[] = [];
      for (let seed = from; seed < from + 500; seed++) found.push(...violations(seed));
      expect(found).toEqual([]);
    });
  }
});

describe('parseRetention', () => {
  it('accepts maxCount, maxAge or both', () => {
    expect(parseRetention({ maxCount: 7 })).toEqual({ maxCount: 7 });
    expect(parseRetention({ maxAge: '30d' })).toEqual({ maxAgeMs: 30 * D });
    expect(parseRetention({ maxCount: 1, maxAge: '1h30m' })).toEqual({ maxCount: 1, maxAgeMs: 1.5 * H });
  });

  it('rejects a negative maxCount naming the field, the value and what is accepted', () => {
    expect(() => parseRetention({ maxCount: -1 })).toThrow(
      'spec.backup.retention.maxCount: got -1, accepted an integer >= 1',
    );
  });

  it('rejects zero, fractions and strings for maxCount', () => {
    for (const v of [0, 1.5, '3'])
      expect(() => parseRetention({ maxCount: v })).toThrow(/retention\.maxCount/);
  });

  it('rejects a negative or malformed maxAge', () => {
    expect(() => parseRetention({ maxAge: '-1h' })).toThrow(
      /spec\.backup\.retention\.maxAge: got "-1h", accepted a duration such as 90s, 45m, 720h, 30d/,
    );
    expect(() => parseRetention({ maxAge: '30 days' })).toThrow(/retention\.maxAge/);
    expect(() => parseRetention({ maxAge: '0s' })).toThrow(/greater than zero/);
  });

  it('rejects a policy with no limit', () => {
    expect(() => parseRetention({})).toThrow(/spec\.backup\.retention: no limit given/);
  });
});

describe('candidateFromBackup', () => {
  it('uses completionTime, then startTime, then creationTimestamp, and reads pinned', () => {
    const cr = (status: MiddlewareBackup['status'], pinned?: boolean): MiddlewareBackup => ({
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareBackup',
      metadata: { name: 'x', creationTimestamp: new Date('2026-01-01T00:00:00Z') },
      spec: { instanceRef: { name: 'i' }, ...(pinned ? { retention: { pinned } } : {}) },
      ...(status ? { status } : {}),
    });
    expect(
      candidateFromBackup(
        cr({ phase: 'Succeeded', startTime: '2026-01-02T00:00:00Z', completionTime: '2026-01-03T00:00:00Z' }),
      ).time,
    ).toBe(Date.parse('2026-01-03T00:00:00Z'));
    expect(candidateFromBackup(cr({ phase: 'Failed', startTime: '2026-01-02T00:00:00Z' })).time).toBe(
      Date.parse('2026-01-02T00:00:00Z'),
    );
    const c = candidateFromBackup(cr(undefined, true));
    expect(c).toEqual({
      name: 'x',
      phase: undefined,
      time: Date.parse('2026-01-01T00:00:00Z'),
      pinned: true,
    });
  });
});
