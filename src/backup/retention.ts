// Which backups a retention policy deletes. Pure and total: the cleanup step deletes exactly
// what this returns (S3 objects first, then the CR), so the rules live here and nowhere else.
//
// Rules (FR-028, FR-029):
// - maxCount and maxAge apply together: a successful backup is kept only if it is among the
//   newest maxCount successful backups AND no older than maxAge.
// - The newest successful backup is never deleted by policy, however old (Velero #5381 deleted
//   a user's only backup when it aged out).
// - Only successful backups count toward maxCount. Failed backups are kept for diagnosis until
//   they are older than maxAge; with no maxAge, the newest maxCount failed backups are kept.
// - Backups still in progress (Pending, Running) or already Deleting are never victims.
// - Pinned backups (spec.retention.pinned) are outside the policy: never deleted, not counted.
// - Age is measured from completionTime, falling back to startTime, then creation time. A backup
//   exactly maxAge old is kept.
import type { BackupPhase, MiddlewareBackup } from '../api/index.ts';
import { FieldValueError, parseDuration } from './errors.ts';

export const RETENTION_FIELD = 'spec.backup.retention';

export interface RetentionPolicy {
  maxCount?: number;
  /** Milliseconds. */
  maxAgeMs?: number;
}

export interface RetentionCandidate {
  name: string;
  phase: BackupPhase | undefined;
  /** ms since epoch: completion, else start, else creation time. */
  time: number;
  pinned?: boolean;
}

export type VictimReason = 'maxCount' | 'maxAge' | 'failedMaxAge' | 'failedMaxCount';

export interface RetentionVictim {
  name: string;
  reason: VictimReason;
}

/** Validates spec.backup.retention as written by the user; errors name the field, value and accepted form. */
export function parseRetention(raw: unknown, field: string = RETENTION_FIELD): RetentionPolicy {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FieldValueError(field, raw, 'an object with maxCount, maxAge or both');
  }
  const { maxCount, maxAge } = raw as { maxCount?: unknown; maxAge?: unknown };
  if (maxCount === undefined && maxAge === undefined) {
    throw new FieldValueError(field, raw, 'an object with maxCount, maxAge or both', 'no limit given');
  }
  const policy: RetentionPolicy = {};
  if (maxCount !== undefined) {
    if (typeof maxCount !== 'number' || !Number.isInteger(maxCount) || maxCount < 1) {
      throw new FieldValueError(`${field}.maxCount`, maxCount, 'an integer >= 1');
    }
    policy.maxCount = maxCount;
  }
  if (maxAge !== undefined) {
    const ms = parseDuration(maxAge, `${field}.maxAge`);
    if (ms <= 0) throw new FieldValueError(`${field}.maxAge`, maxAge, 'a duration greater than zero');
    policy.maxAgeMs = ms;
  }
  return policy;
}

function backupTime(b: MiddlewareBackup): number {
  const s = b.status?.completionTime ?? b.status?.startTime ?? b.metadata.creationTimestamp;
  const t = s === undefined ? Number.NaN : new Date(s as string | Date).getTime();
  return Number.isNaN(t) ? 0 : t;
}

/** Maps a MiddlewareBackup CR to what the policy looks at. */
export function candidateFromBackup(b: MiddlewareBackup): RetentionCandidate {
  return {
    name: b.metadata.name ?? '',
    phase: b.status?.phase,
    time: backupTime(b),
    pinned: b.spec.retention?.pinned === true,
  };
}

/** Newest first; ties broken by name so the answer never depends on input order. */
function newestFirst(a: RetentionCandidate, b: RetentionCandidate): number {
  return b.time - a.time || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * The backups the policy deletes at `now`, oldest first (ties by name). Deterministic: any
 * permutation of `backups` gives the same result.
 */
export function retentionVictims(
  backups: readonly RetentionCandidate[],
  policy: RetentionPolicy,
  now: number,
): RetentionVictim[] {
  const tooOld = (c: RetentionCandidate) => policy.maxAgeMs !== undefined && now - c.time > policy.maxAgeMs;
  const victims: { c: RetentionCandidate; reason: VictimReason }[] = [];

  const succeeded = backups.filter((b) => b.phase === 'Succeeded').sort(newestFirst);
  const newestSucceeded = succeeded[0];
  let kept = 0;
  for (const c of succeeded) {
    if (c.pinned || c === newestSucceeded) {
      if (!c.pinned) kept++;
      continue;
    }
    if (policy.maxCount !== undefined && kept >= policy.maxCount) {
      victims.push({ c, reason: 'maxCount' });
    } else if (tooOld(c)) {
      victims.push({ c, reason: 'maxAge' });
    } else {
      kept++;
    }
  }

  const failed = backups.filter((b) => b.phase === 'Failed' && !b.pinned).sort(newestFirst);
  let failedKept = 0;
  for (const c of failed) {
    if (policy.maxAgeMs !== undefined) {
      if (tooOld(c)) victims.push({ c, reason: 'failedMaxAge' });
    } else if (policy.maxCount !== undefined && failedKept >= policy.maxCount) {
      victims.push({ c, reason: 'failedMaxCount' });
    } else {
      failedKept++;
    }
  }

  victims.sort((x, y) => x.c.time - y.c.time || (x.c.name < y.c.name ? -1 : x.c.name > y.c.name ? 1 : 0));
  return victims.map(({ c, reason }) => ({ name: c.name, reason }));
}
