// The Redis agent's decisions, as pure functions of what INFO says and what the request asks.
import type { HookRequest, MemberRef } from '../contract.ts';
import { describeMember } from '../request.ts';
import { checkUpgradePath } from '../versions.ts';
import type { Persistence, Replication } from './info.ts';

export const DEFAULT_MAX_LAG_SECONDS = 10;

export type Verdict = { ok: true; message: string } | { ok: false; reason: string; message: string };

const refuse = (reason: string, message: string): Verdict => ({ ok: false, reason, message });

export function decidePreUpgrade(input: {
  runningVersion: string;
  request: HookRequest;
  replication: Replication;
  persistence: Persistence;
}): Verdict {
  const { runningVersion, request, replication, persistence } = input;
  const target = request.targetMiddlewareVersion;
  if (target === undefined) {
    return refuse(
      'BadRequest',
      'targetMiddlewareVersion: missing; want the middleware version to upgrade to',
    );
  }
  const path = checkUpgradePath(runningVersion, target, request.allowedUpgradePath);
  if (!path.ok) return path;
  if (persistence.rdbSaveInProgress) {
    return refuse(
      'SaveInProgress',
      'an RDB background save is in progress (rdb_bgsave_in_progress:1); upgrade after it ends',
    );
  }
  if (persistence.aofRewriteInProgress || persistence.aofRewriteScheduled) {
    return refuse(
      'SaveInProgress',
      `an AOF rewrite is ${persistence.aofRewriteInProgress ? 'in progress' : 'scheduled'}; upgrade after it ends`,
    );
  }
  const maxLag = request.limits?.maxReplicationLagSeconds ?? DEFAULT_MAX_LAG_SECONDS;
  const lag = replicationLagProblem(replication, maxLag);
  if (lag) return refuse('ReplicationLag', lag);
  return { ok: true, message: `${path.message}; no save running; replication within ${maxLag}s` };
}

/** Why replication is not healthy enough to take this member down, or undefined when it is. */
export function replicationLagProblem(replication: Replication, maxLagSeconds: number): string | undefined {
  if (replication.role === 'replica') {
    if (!replication.linkUp) {
      return `the link to primary ${replication.primaryHost}:${replication.primaryPort} is down (master_link_status:down)`;
    }
    if (replication.syncInProgress)
      return `a full sync from primary ${replication.primaryHost}:${replication.primaryPort} is in progress`;
    if (replication.lastIoSecondsAgo > maxLagSeconds) {
      return `replication lag ${replication.lastIoSecondsAgo}s (master_last_io_seconds_ago) exceeds limits.maxReplicationLagSeconds ${maxLagSeconds}`;
    }
    return undefined;
  }
  for (const r of replication.replicas) {
    if (r.state !== 'online') return `replica ${r.host}:${r.port} is in state ${r.state}, want online`;
    if (r.lagSeconds > maxLagSeconds) {
      return `replica ${r.host}:${r.port} lags ${r.lagSeconds}s, above limits.maxReplicationLagSeconds ${maxLagSeconds}`;
    }
  }
  return undefined;
}

export function decidePreScaleIn(leaving: string, replication: Replication): Verdict {
  if (replication.role === 'primary') {
    return refuse(
      'IsPrimary',
      `member ${leaving} is the current primary (${replication.replicas.length} replica(s) follow it); switch over to another member before removing it`,
    );
  }
  return {
    ok: true,
    message: `member ${leaving} is a replica of ${replication.primaryHost}:${replication.primaryPort}; it may leave`,
  };
}

export type InitPlan =
  | { action: 'none'; message: string }
  | { action: 'replicate'; primary: MemberRef; message: string }
  | { action: 'refuse'; reason: string; message: string };

/** What /init must do, given who the request says the primary is and what this member does now. */
export function planInit(request: HookRequest, replication: Replication): InitPlan {
  const { member, primary } = request;
  const isPrimary =
    primary === undefined ||
    (member !== undefined && member.host === primary.host && member.port === primary.port);
  if (isPrimary) {
    if (replication.role === 'primary')
      return { action: 'none', message: 'member is the primary; nothing to set up' };
    return {
      action: 'refuse',
      reason: 'Refused',
      message: `primary: the request names this member the primary, but it replicates from ${replication.primaryHost}:${replication.primaryPort}; use /switchover to change the primary`,
    };
  }
  if (
    replication.role === 'replica' &&
    replication.primaryHost === primary.host &&
    replication.primaryPort === primary.port
  ) {
    return { action: 'none', message: `member already replicates from ${describeMember(primary)}` };
  }
  return { action: 'replicate', primary, message: `member now replicates from ${describeMember(primary)}` };
}

/** Redis's spelling of a config value: booleans are yes/no. */
export const redisConfigValue = (v: string | number | boolean): string =>
  typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);

/** How Redis answers CONFIG SET for a setting that only a restart can change. */
export const needsRestartError = (message: string): boolean => /immutable|protected config/i.test(message);
