import { describe, expect, it } from 'vitest';
import {
  dueRuns,
  latestRunAtOrBefore,
  nextRun,
  parseSchedule,
  scheduledBackupName,
} from '../../../src/backup/schedule.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const t = (s: string) => Date.parse(s);
const M = 60_000;

describe('parseSchedule', () => {
  it('accepts five fields and the CronJob macros', () => {
    expect(parseSchedule('0 3 * * *').fiveFields).toBe('0 3 * * *');
    expect(parseSchedule('  */15  * * * 1-5 ').fiveFields).toBe('*/15 * * * 1-5');
    expect(parseSchedule('@daily').fiveFields).toBe('0 0 * * *');
    expect(parseSchedule('@HOURLY').fiveFields).toBe('0 * * * *');
  });

  it('names the field, the value and the accepted form for a bad expression', () => {
    expect(() => parseSchedule('61 * * * *')).toThrow(
      /^spec\.backup\.schedule: .*got "61 \* \* \* \*", accepted five cron fields "minute hour day-of-month month day-of-week"/,
    );
  });

  it('rejects the wrong number of fields, seconds included', () => {
    expect(() => parseSchedule('0 3 * *')).toThrow(
      /spec\.backup\.schedule: expected 5 fields, found 4; got "0 3 \* \*"/,
    );
    expect(() => parseSchedule('0 0 3 * * *')).toThrow(/expected 5 fields, found 6/);
  });

  it('rejects unknown macros, empty strings and non-strings', () => {
    expect(() => parseSchedule('@fortnightly')).toThrow(/unknown macro @fortnightly/);
    expect(() => parseSchedule('')).toThrow(/spec\.backup\.schedule: a cron expression is required; got ""/);
    expect(() => parseSchedule(5)).toThrow(/got 5/);
  });

  it('rejects garbage in a field', () => {
    for (const bad of ['x * * * *', '0 25 * * *', '0 0 32 * *', '0 0 * 13 *', '0 0 * * 8']) {
      expect(() => parseSchedule(bad), bad).toThrow(/spec\.backup\.schedule/);
    }
  });

  it('uses a custom field path when given', () => {
    expect(() => parseSchedule('bad', 'spec.schedule')).toThrow(/^spec\.schedule:/);
  });
});

describe('nextRun and latestRunAtOrBefore (UTC)', () => {
  const s = parseSchedule('0 3 * * *');
  it('next is strictly after', () => {
    expect(nextRun(s, t('2026-01-01T02:59:00Z'))).toBe(t('2026-01-01T03:00:00Z'));
    expect(nextRun(s, t('2026-01-01T03:00:00Z'))).toBe(t('2026-01-02T03:00:00Z'));
  });
  it('latest includes the instant itself', () => {
    expect(latestRunAtOrBefore(s, t('2026-01-01T03:00:00Z'))).toBe(t('2026-01-01T03:00:00Z'));
    expect(latestRunAtOrBefore(s, t('2026-01-01T02:59:59Z'))).toBe(t('2025-12-31T03:00:00Z'));
  });
});

describe('dueRuns (CronJob semantics)', () => {
  const hourly = parseSchedule('0 * * * *');

  it('nothing is due before the first scheduled time', () => {
    const r = dueRuns(hourly, t('2026-01-01T00:10:00Z'), t('2026-01-01T00:59:00Z'), 600);
    expect(r).toEqual({ missed: 0, next: t('2026-01-01T01:00:00Z') });
  });

  it('a run is due exactly on time', () => {
    const r = dueRuns(hourly, t('2026-01-01T00:10:00Z'), t('2026-01-01T01:00:00Z'), 600);
    expect(r).toEqual({ due: t('2026-01-01T01:00:00Z'), missed: 1, next: t('2026-01-01T02:00:00Z') });
  });

  it('never doubles: after recording the run, nothing is due until the next time', () => {
    const r = dueRuns(hourly, t('2026-01-01T01:00:00Z'), t('2026-01-01T01:30:00Z'), 600);
    expect(r.due).toBeUndefined();
  });

  it('several missed runs (operator down) run once, the latest one, within the deadline', () => {
    const r = dueRuns(hourly, t('2026-01-01T01:00:00Z'), t('2026-01-01T05:04:00Z'), 600);
    expect(r).toEqual({ due: t('2026-01-01T05:00:00Z'), missed: 4, next: t('2026-01-01T06:00:00Z') });
  });

  it('a missed run older than the starting deadline is skipped, not run late', () => {
    const r = dueRuns(hourly, t('2026-01-01T01:00:00Z'), t('2026-01-01T05:20:00Z'), 600);
    expect(r).toEqual({ missed: 4, tooLate: t('2026-01-01T05:00:00Z'), next: t('2026-01-01T06:00:00Z') });
  });

  it('the deadline boundary is inclusive (exactly startingDeadlineSeconds late still runs)', () => {
    expect(dueRuns(hourly, t('2026-01-01T04:00:00Z'), t('2026-01-01T05:10:00Z'), 600).due).toBe(
      t('2026-01-01T05:00:00Z'),
    );
    expect(
      dueRuns(hourly, t('2026-01-01T04:00:00Z'), t('2026-01-01T05:10:00.001Z'), 600).due,
    ).toBeUndefined();
  });

  it('without a deadline, a missed run is always run (once)', () => {
    const r = dueRuns(hourly, t('2026-01-01T00:00:00Z'), t('2026-01-03T00:30:00Z'));
    expect(r.due).toBe(t('2026-01-03T00:00:00Z'));
    expect(r.missed).toBe(48);
  });

  it('caps the missed count for very long outages', () => {
    const everyMinute = parseSchedule('* * * * *');
    expect(dueRuns(everyMinute, t('2026-01-01T00:00:00Z'), t('2026-01-02T00:00:00Z')).missed).toBe(100);
  });

  it('a clock behind lastScheduleTime yields nothing due', () => {
    expect(dueRuns(hourly, t('2026-01-01T05:00:00Z'), t('2026-01-01T04:00:00Z'), 600).due).toBeUndefined();
  });

  it('accepts the expression as a string and validates it', () => {
    expect(dueRuns('0 * * * *', t('2026-01-01T00:00:00Z'), t('2026-01-01T01:00:00Z'), 600).due).toBe(
      t('2026-01-01T01:00:00Z'),
    );
    expect(() => dueRuns('0 * * *', 0, 1)).toThrow(/^spec\.backup\.schedule: expected 5 fields/);
  });

  it('rejects a negative deadline with the field name', () => {
    expect(() => dueRuns(hourly, 0, 1, -5)).toThrow(
      'spec.backup.startingDeadlineSeconds: got -5, accepted an integer >= 0 (seconds)',
    );
  });

  it('driven by a clock over two days, fires exactly once per scheduled time and survives a "restart"', () => {
    const clock = new FakeClock(t('2026-03-01T00:00:00Z'));
    const daily = parseSchedule('30 2 * * *');
    let last = clock.now(); // creation time
    const runs: string[] = [];
    for (let step = 0; step < 2 * 24 * 60; step += 7) {
      clock.advance(7 * M);
      // A restarted operator keeps only lastScheduleTime (status); recompute from it each time.
      const r = dueRuns(daily, last, clock.now(), 600);
      if (r.due !== undefined) {
        runs.push(new Date(r.due).toISOString());
        last = r.due;
      }
    }
    expect(runs).toEqual(['2026-03-01T02:30:00.000Z', '2026-03-02T02:30:00.000Z']);
  });
});

describe('scheduledBackupName', () => {
  it('is deterministic per scheduled time and fits 253 characters', () => {
    expect(scheduledBackupName('cache', t('2026-01-01T03:00:00Z'))).toBe(
      `cache-${t('2026-01-01T03:00:00Z') / M}`,
    );
    expect(scheduledBackupName('x'.repeat(300), 0).length).toBeLessThanOrEqual(253);
  });
});
