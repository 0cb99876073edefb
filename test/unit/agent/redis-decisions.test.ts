import { describe, expect, it } from 'vitest';
import type { HookRequest } from '../../../src/agent/contract.ts';
import {
  decidePreScaleIn,
  decidePreUpgrade,
  needsRestartError,
  planInit,
  redisConfigValue,
  replicationLagProblem,
} from '../../../src/agent/redis/decisions.ts';
import type { Replication } from '../../../src/agent/redis/info.ts';

const req: HookRequest = { instance: 'cache', namespace: 'ns', type: 'redis' };
const primary: Replication = { role: 'primary', offset: 10, replicas: [] };
const replica = (over: Partial<Extract<Replication, { role: 'replica' }>> = {}): Replication => ({
  role: 'replica',
  primaryHost: '10.0.0.1',
  primaryPort: 6379,
  linkUp: true,
  lastIoSecondsAgo: 1,
  syncInProgress: false,
  offset: 10,
  ...over,
});
const idle = { rdbSaveInProgress: false, aofRewriteInProgress: false, aofRewriteScheduled: false };
const upgrade = { ...req, targetMiddlewareVersion: '7.2.4', allowedUpgradePath: ['7.2.4'] };

describe('decidePreUpgrade', () => {
  it('allows an idle member and a target on the path', () => {
    expect(
      decidePreUpgrade({
        runningVersion: '7.0.15',
        request: upgrade,
        replication: primary,
        persistence: idle,
      }).ok,
    ).toBe(true);
  });

  it('refuses while a save or an AOF rewrite runs', () => {
    for (const persistence of [
      { ...idle, rdbSaveInProgress: true },
      { ...idle, aofRewriteInProgress: true },
      { ...idle, aofRewriteScheduled: true },
    ]) {
      expect(
        decidePreUpgrade({ runningVersion: '7.0.15', request: upgrade, replication: primary, persistence }),
      ).toMatchObject({
        ok: false,
        reason: 'SaveInProgress',
      });
    }
  });

  it('refuses a lagging replica and a primary with a lagging replica, with the limit in the message', () => {
    const lagging = replica({ lastIoSecondsAgo: 30 });
    expect(
      decidePreUpgrade({
        runningVersion: '7.0.15',
        request: upgrade,
        replication: lagging,
        persistence: idle,
      }),
    ).toEqual({
      ok: false,
      reason: 'ReplicationLag',
      message: 'replication lag 30s (master_last_io_seconds_ago) exceeds limits.maxReplicationLagSeconds 10',
    });
    const withReplica: Replication = {
      role: 'primary',
      offset: 1,
      replicas: [{ host: 'r', port: 1, state: 'online', offset: 1, lagSeconds: 5 }],
    };
    const strict = { ...upgrade, limits: { maxReplicationLagSeconds: 2 } };
    expect(
      decidePreUpgrade({
        runningVersion: '7.0.15',
        request: strict,
        replication: withReplica,
        persistence: idle,
      }),
    ).toMatchObject({
      ok: false,
      message: 'replica r:1 lags 5s, above limits.maxReplicationLagSeconds 2',
    });
  });

  it('checks the path before anything else and asks for a missing target', () => {
    expect(
      decidePreUpgrade({
        runningVersion: '7.0.15',
        request: { ...upgrade, allowedUpgradePath: ['7.0.16'] },
        replication: replica({ linkUp: false }),
        persistence: { ...idle, rdbSaveInProgress: true },
      }),
    ).toMatchObject({ reason: 'NotInUpgradePath' });
    expect(
      decidePreUpgrade({ runningVersion: '7.0.15', request: req, replication: primary, persistence: idle }),
    ).toMatchObject({
      reason: 'BadRequest',
    });
  });
});

describe('replicationLagProblem', () => {
  it('names a down link, a full sync and a replica that is not online', () => {
    expect(replicationLagProblem(replica({ linkUp: false }), 10)).toContain('master_link_status:down');
    expect(replicationLagProblem(replica({ syncInProgress: true }), 10)).toContain('full sync');
    expect(
      replicationLagProblem(
        {
          role: 'primary',
          offset: 0,
          replicas: [{ host: 'r', port: 1, state: 'wait_bgsave', offset: 0, lagSeconds: 0 }],
        },
        10,
      ),
    ).toBe('replica r:1 is in state wait_bgsave, want online');
    expect(replicationLagProblem(replica(), 10)).toBeUndefined();
  });
});

describe('decidePreScaleIn', () => {
  it('refuses the primary and lets a replica go', () => {
    expect(decidePreScaleIn('cache-0', primary)).toMatchObject({ ok: false, reason: 'IsPrimary' });
    expect(decidePreScaleIn('cache-1', replica()).ok).toBe(true);
  });
});

describe('planInit', () => {
  const me = { host: '10.0.0.2', port: 6379 };
  const p = { host: '10.0.0.1', port: 6379 };
  it('does nothing on the primary', () => {
    expect(planInit({ ...req, member: p, primary: p }, primary).action).toBe('none');
    expect(planInit(req, primary).action).toBe('none');
  });
  it('replicates when not yet following the primary, and not again once it does', () => {
    expect(planInit({ ...req, member: me, primary: p }, primary)).toMatchObject({
      action: 'replicate',
      primary: p,
    });
    expect(planInit({ ...req, member: me, primary: p }, replica({ primaryHost: '10.0.0.9' })).action).toBe(
      'replicate',
    );
    expect(planInit({ ...req, member: me, primary: p }, replica()).action).toBe('none');
  });
  it('refuses to call a replica the primary', () => {
    expect(planInit({ ...req, member: me }, replica())).toMatchObject({ action: 'refuse' });
  });
});

describe('config values', () => {
  it('spells booleans as yes/no and detects restart-only settings', () => {
    expect(redisConfigValue(true)).toBe('yes');
    expect(redisConfigValue(false)).toBe('no');
    expect(redisConfigValue(100)).toBe('100');
    expect(
      needsRestartError(
        "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
      ),
    ).toBe(true);
    expect(
      needsRestartError(
        "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
      ),
    ).toBe(true);
    expect(
      needsRestartError(
        "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
      ),
    ).toBe(false);
  });
});
