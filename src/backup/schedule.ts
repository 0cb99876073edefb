// Cron schedules for backups, with CronJob's semantics for missed runs. Pure: the caller passes
// `now`, so tests drive time with a clock instead of waiting, and a restarted operator computes
// the same answer from `status.lastScheduleTime` as the one that crashed.
import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { FieldValueError } from './errors.ts';

export const SCHEDULE_FIELD = 'spec.backup.schedule';

const ACCEPTED =
  'five cron fields "minute hour day-of-month month day-of-week" in UTC (for example "0 3 * * *" or "*/15 * * * *"), ' +
  'or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly';

// The macros CronJob accepts, as five-field expressions.
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A validated cron schedule. */
export interface Schedule {
  /** The expression as the user wrote it. */
  readonly expression: string;
  /** The five-field form actually evaluated (macros expanded). */
  readonly fiveFields: string;
}

/**
 * Validates a schedule. Throws a FieldValueError naming the field, the value and the accepted form.
 * Six-field (seconds) expressions are refused: CronJob does not accept them either, and a
 * per-second backup schedule is always a mistake.
 */
export function parseSchedule(expression: unknown, field: string = SCHEDULE_FIELD): Schedule {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new FieldValueError(field, expression, ACCEPTED, 'a cron expression is required');
  }
  const trimmed = expression.trim();
  let fiveFields: string;
  if (trimmed.startsWith('@')) {
    const m = MACROS[trimmed.toLowerCase()];
    if (!m) throw new FieldValueError(field, expression, ACCEPTED, `unknown macro ${trimmed}`);
    fiveFields = m;
  } else {
    const parts = trimmed.split(/\s+/);
    if (parts.length !== 5) {
      throw new FieldValueError(field, expression, ACCEPTED, `expected 5 fields, found ${parts.length}`);
    }
    fiveFields = parts.join(' ');
  }
  try {
    const it = cron(fiveFields, 0);
    it.next(); // an expression that can never fire (e.g. "0 0 30 2 *") fails here
  } catch (err) {
    throw new FieldValueError(field, expression, ACCEPTED, (err as Error).message);
  }
  return { expression, fiveFields };
}

function cron(fiveFields: string, currentDate: number): CronExpression {
  return CronExpressionParser.parse(fiveFields, { currentDate, tz: 'UTC' });
}

/** The first scheduled time strictly after `after` (ms since epoch). */
export function nextRun(schedule: Schedule, after: number): number {
  return cron(schedule.fiveFields, after).next().getTime();
}

/** The latest scheduled time at or before `at`, or undefined if there is none. */
export function latestRunAtOrBefore(schedule: Schedule, at: number): number | undefined {
  // prev() is strictly before currentDate; scheduled times are whole minutes, so +1ms includes `at`.
  const it = cron(schedule.fiveFields, at + 1);
  if (!it.hasPrev()) return undefined;
  return it.prev().getTime();
}

export interface DueRuns {
  /** The scheduled time to run now, or undefined. Never more than one: missed runs are not replayed. */
  due?: number;
  /** How many scheduled times fell in (lastScheduleTime, now] (capped at MISSED_CAP). */
  missed: number;
  /**
   * The latest missed time that was not run because it is older than the starting deadline.
   * The caller records a "missed schedule" event; lastScheduleTime is not advanced for it, as in CronJob.
   */
  tooLate?: number;
  /** When the caller should look again (the next scheduled time after now). */
  next: number;
}

export const MISSED_CAP = 100;

/**
 * CronJob semantics for a schedule evaluated at `now`:
 * - the candidate is the latest scheduled time t with lastScheduleTime < t <= now;
 * - it runs once, even if several times were missed (a restart never replays a backlog);
 * - it is skipped when now - t exceeds startingDeadlineSeconds (when given).
 * `lastScheduleTime` is the status field (or the instance's creation time before the first run).
 * The caller names the backup after `due` (deterministically), so a crash between creating the
 * backup and writing lastScheduleTime cannot double the run: the create fails with AlreadyExists.
 */
export function dueRuns(
  scheduleOrExpression: Schedule | string,
  lastScheduleTime: number,
  now: number,
  startingDeadlineSeconds?: number,
): DueRuns {
  const schedule =
    typeof scheduleOrExpression === 'string' ? parseSchedule(scheduleOrExpression) : scheduleOrExpression;
  if (
    startingDeadlineSeconds !== undefined &&
    (!Number.isInteger(startingDeadlineSeconds) || startingDeadlineSeconds < 0)
  ) {
    throw new FieldValueError(
      'spec.backup.startingDeadlineSeconds',
      startingDeadlineSeconds,
      'an integer >= 0 (seconds)',
    );
  }
  const next = nextRun(schedule, Math.max(now, lastScheduleTime));
  if (now <= lastScheduleTime) return { missed: 0, next };
  const latest = latestRunAtOrBefore(schedule, now);
  if (latest === undefined || latest <= lastScheduleTime) return { missed: 0, next };

  let missed = 0;
  const it = cron(schedule.fiveFields, lastScheduleTime);
  while (missed < MISSED_CAP) {
    const t = it.next().getTime();
    if (t > now) break;
    missed++;
  }
  if (startingDeadlineSeconds !== undefined && now - latest > startingDeadlineSeconds * 1000) {
    return { missed, tooLate: latest, next };
  }
  return { due: latest, missed, next };
}

/** A deterministic backup name for a scheduled run: `<instance>-<unix minutes>` (CronJob does the same). */
export function scheduledBackupName(instance: string, scheduledTime: number): string {
  const suffix = `-${Math.floor(scheduledTime / 60_000)}`;
  return `${instance.slice(0, 253 - suffix.length)}${suffix}`;
}
