// The Redis hook agent: every handler opens its own short-lived connection with the call's
// deadline, so a stuck or restarted redis-server can never wedge the agent.
import { Redis } from 'ioredis';
import { type HookRequest, type MemberRef, STATUS } from '../contract.ts';
import { type CredentialSource, readCredential } from '../credentials.ts';
import { type Driver, type HookContext, type HookOutcome, remainingMs } from '../driver.ts';
import { badRequest, classifyClientError, HookError, refused, timedOut } from '../errors.ts';
import { describeMember, sameMember } from '../request.ts';
import { versionMatches } from '../versions.ts';
import {
  decidePreScaleIn,
  decidePreUpgrade,
  needsRestartError,
  planInit,
  redisConfigValue,
  type Verdict,
} from './decisions.ts';
import { type InfoFields, parseInfo, parsePersistence, parseReplication, type Replication } from './info.ts';

export interface RedisDriverOptions {
  host: string;
  port: number;
  credentials: CredentialSource;
}

interface Address {
  host: string;
  port: number;
}

const where = (a: Address) => `redis at ${a.host}:${a.port}`;

async function withRedis<T>(
  addr: Address,
  password: string | undefined,
  ctx: HookContext,
  fn: (client: Redis) => Promise<T>,
): Promise<T> {
  const ms = remainingMs(ctx);
  const client = new Redis({
    host: addr.host,
    port: addr.port,
    ...(password ? { password } : {}),
    lazyConnect: true,
    connectTimeout: ms,
    commandTimeout: ms,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  });
  // ioredis rejects a failed connect with "Connection is closed."; keep the cause for the message.
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
  });
  const onAbort = () => client.disconnect();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    return await fn(client);
  } catch (err) {
    const cause = lastError && /connection is closed/i.test((err as Error)?.message ?? '') ? lastError : err;
    const mapped = classifyClientError(cause, where(addr));
    if (mapped) throw mapped;
    if (ctx.signal.aborted) throw timedOut(`${where(addr)}: the call was cut off by its deadline`);
    throw new HookError(STATUS.internal, 'Internal', `${where(addr)}: ${(err as Error).message}`);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    client.disconnect();
  }
}

async function info(client: Redis, section?: string): Promise<InfoFields> {
  return parseInfo(section ? await client.info(section) : await client.info());
}

const verdictOrThrow = (v: Verdict, details?: Record<string, unknown>): HookOutcome => {
  if (v.ok) return { message: v.message, ...(details ? { details } : {}) };
  if (v.reason === 'BadRequest') throw badRequest(v.message, details);
  throw refused(v.reason, v.message, details);
};

function replicationDetails(r: Replication): Record<string, unknown> {
  return r.role === 'primary'
    ? {
        role: 'primary',
        offset: r.offset,
        replicas: r.replicas.map((x) => ({
          host: x.host,
          port: x.port,
          state: x.state,
          lagSeconds: x.lagSeconds,
        })),
      }
    : {
        role: 'replica',
        primary: { host: r.primaryHost, port: r.primaryPort },
        linkUp: r.linkUp,
        lastIoSecondsAgo: r.lastIoSecondsAgo,
        offset: r.offset,
      };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export function createRedisDriver(opts: RedisDriverOptions): Driver {
  const local: Address = { host: opts.host, port: opts.port };
  const password = () => readCredential(opts.credentials, 'password');
  const onLocal = async <T>(ctx: HookContext, fn: (c: Redis) => Promise<T>) =>
    withRedis(local, await password(), ctx, fn);

  const need = (req: HookRequest | undefined): HookRequest => {
    if (!req) throw badRequest('body: missing; want a JSON HookRequest');
    return req;
  };

  async function replicateFrom(c: Redis, primary: MemberRef, pw: string | undefined) {
    if (pw) await c.config('SET', 'masterauth', pw);
    await c.call('REPLICAOF', primary.host, String(primary.port));
  }

  async function attach(req: HookRequest | undefined, ctx: HookContext): Promise<HookOutcome> {
    const r = need(req);
    const pw = await password();
    return withRedis(local, pw, ctx, async (c) => {
      const before = parseReplication(await info(c, 'replication'));
      const plan = planInit(r, before);
      if (plan.action === 'refuse') throw refused(plan.reason, plan.message, replicationDetails(before));
      if (plan.action === 'replicate') await replicateFrom(c, plan.primary, pw);
      const after = parseReplication(await info(c, 'replication'));
      return {
        message: plan.message,
        details: { changed: plan.action === 'replicate', ...replicationDetails(after) },
      };
    });
  }

  /** Promotes `target` and repoints every other member. `force` skips waiting for the old primary. */
  async function changePrimary(
    req: HookRequest | undefined,
    ctx: HookContext,
    force: boolean,
  ): Promise<HookOutcome> {
    const r = need(req);
    const target = r.target;
    if (!target) throw badRequest('target: missing; want {host, port} of the member to promote');
    const pw = await password();
    const others = new Map<string, MemberRef>();
    const key = (m: Address) => `${m.host}:${m.port}`;
    for (const m of r.members ?? []) if (!sameMember(m, target)) others.set(key(m), m);

    const targetState = await withRedis(target, pw, ctx, async (c) =>
      parseReplication(await info(c, 'replication')),
    );
    let promoted = false;
    let caughtUpOffset: number | undefined;
    if (targetState.role === 'replica') {
      const oldPrimary: MemberRef = { host: targetState.primaryHost, port: targetState.primaryPort };
      if (!others.has(key(oldPrimary))) others.set(key(oldPrimary), oldPrimary);
      if (!force) caughtUpOffset = await pauseAndCatchUp(oldPrimary, target, pw, ctx);
      await withRedis(target, pw, ctx, async (c) => c.call('REPLICAOF', 'NO', 'ONE'));
      promoted = true;
    }

    const repointed: string[] = [];
    const unchanged: string[] = [];
    const unreachableMembers: { member: string; error: string }[] = [];
    for (const m of others.values()) {
      try {
        const changed = await withRedis(m, pw, ctx, async (c) => {
          const state = parseReplication(await info(c, 'replication'));
          if (
            state.role === 'replica' &&
            state.primaryHost === target.host &&
            state.primaryPort === target.port
          )
            return false;
          await replicateFrom(c, target, pw);
          await c.call('CLIENT', 'UNPAUSE').catch(() => {}); // the old primary was paused for the handoff
          return true;
        });
        (changed ? repointed : unchanged).push(describeMember(m));
      } catch (err) {
        if (force && err instanceof HookError && err.status === 503) {
          unreachableMembers.push({ member: describeMember(m), error: err.message });
          continue;
        }
        throw err;
      }
    }
    const verb = force ? 'failover' : 'switchover';
    return {
      message: promoted
        ? `${verb}: promoted ${describeMember(target)}; repointed ${repointed.length} member(s)`
        : `${verb}: ${describeMember(target)} already is the primary; repointed ${repointed.length} member(s)`,
      details: {
        primary: { host: target.host, port: target.port },
        promoted,
        repointed,
        unchanged,
        ...(caughtUpOffset !== undefined ? { caughtUpOffset } : {}),
        ...(force ? { unreachable: unreachableMembers } : {}),
      },
    };
  }

  /**
   * Pauses writes on the old primary and waits until the target has every byte of its replication
   * stream: no acknowledged write is lost. The pause ends by itself at the deadline if we die here.
   */
  async function pauseAndCatchUp(
    oldPrimary: Address,
    target: Address,
    pw: string | undefined,
    ctx: HookContext,
  ) {
    const pauseMs = remainingMs(ctx);
    const primaryOffset = await withRedis(oldPrimary, pw, ctx, async (c) => {
      await c.call('CLIENT', 'PAUSE', String(pauseMs), 'WRITE');
      return parseReplication(await info(c, 'replication')).offset;
    });
    try {
      for (;;) {
        const t = await withRedis(target, pw, ctx, async (c) =>
          parseReplication(await info(c, 'replication')),
        );
        if (t.role === 'replica' && t.linkUp && t.offset >= primaryOffset) return primaryOffset;
        if (ctx.deadline - Date.now() < 500 || ctx.signal.aborted) {
          throw refused(
            'ReplicaBehind',
            `target ${target.host}:${target.port} did not catch up with the primary's offset ${primaryOffset} before the deadline (at ${t.offset}, link ${t.role === 'replica' && t.linkUp ? 'up' : 'down'}); writes were resumed and nothing was changed`,
          );
        }
        await sleep(50, ctx.signal);
      }
    } catch (err) {
      // Resume writes on any failure, with its own short budget: the call's deadline may be spent.
      const cleanup: HookContext = { deadline: Date.now() + 2000, signal: new AbortController().signal };
      await withRedis(oldPrimary, pw, cleanup, async (c) => c.call('CLIENT', 'UNPAUSE')).catch(() => {});
      throw err;
    }
  }

  return {
    type: 'redis',
    hooks: {
      health: (_req, ctx) =>
        onLocal(ctx, async (c) => {
          const pong = await c.ping();
          const server = await info(c, 'server');
          return {
            message: `${where(local)} answered ${pong}`,
            details: { middlewareVersion: server.redis_version },
          };
        }),

      role: (_req, ctx) =>
        onLocal(ctx, async (c) => {
          const all = await info(c);
          const rep = parseReplication(all);
          return {
            message: `member is a ${rep.role}`,
            details: { ...replicationDetails(rep), middlewareVersion: all.redis_version },
          };
        }),

      init: attach,
      postScaleOut: attach,

      preUpgrade: (req, ctx) =>
        onLocal(ctx, async (c) => {
          const all = await info(c);
          const replication = parseReplication(all);
          const persistence = parsePersistence(all);
          const runningVersion = all.redis_version ?? '';
          const v = decidePreUpgrade({ runningVersion, request: need(req), replication, persistence });
          return verdictOrThrow(v, { runningVersion, ...persistence, ...replicationDetails(replication) });
        }),

      postUpgrade: (req, ctx) =>
        onLocal(ctx, async (c) => {
          const r = need(req);
          if (!r.targetMiddlewareVersion)
            throw badRequest('targetMiddlewareVersion: missing; want the version the member should now run');
          const running = (await info(c, 'server')).redis_version ?? '';
          if (!versionMatches(running, r.targetMiddlewareVersion)) {
            throw refused(
              'VersionMismatch',
              `targetMiddlewareVersion: ${r.targetMiddlewareVersion}, but the member runs ${running}`,
              { runningVersion: running },
            );
          }
          return { message: `member runs ${running} as expected`, details: { runningVersion: running } };
        }),

      preScaleIn: async (req, ctx) => {
        const r = need(req);
        const leaving: Address = r.target ?? local;
        const name = r.target
          ? describeMember(r.target)
          : r.member
            ? describeMember(r.member)
            : `${local.host}:${local.port}`;
        return withRedis(leaving, await password(), ctx, async (c) => {
          const rep = parseReplication(await info(c, 'replication'));
          return verdictOrThrow(decidePreScaleIn(name, rep), replicationDetails(rep));
        });
      },

      switchover: (req, ctx) => changePrimary(req, ctx, false),
      failover: (req, ctx) => changePrimary(req, ctx, true),

      reloadConfig: (req, ctx) =>
        onLocal(ctx, async (c) => {
          const r = need(req);
          const restartKeys = new Set(r.restartKeys ?? []);
          const applied: string[] = [];
          const unchanged: string[] = [];
          const needsRestart: string[] = [];
          const rejected: { key: string; value: string; reason: string }[] = [];
          for (const [key, raw] of Object.entries(r.config ?? {})) {
            const value = redisConfigValue(raw);
            if (restartKeys.has(key)) {
              needsRestart.push(key);
              continue;
            }
            const current = (await c.config('GET', key)) as string[];
            if (current.length === 0) {
              rejected.push({ key, value, reason: `redis knows no setting named ${key}` });
              continue;
            }
            try {
              await c.config('SET', key, value);
              // Redis normalizes values ("100mb" reads back as 104857600): compare what it reports.
              const after = (await c.config('GET', key)) as string[];
              (after[1] === current[1] ? unchanged : applied).push(key);
            } catch (err) {
              const msg = (err as Error).message;
              if (needsRestartError(msg)) needsRestart.push(key);
              else rejected.push({ key, value, reason: msg });
            }
          }
          const details = { applied, unchanged, needsRestart, rejected };
          if (rejected.length > 0) {
            throw badRequest(
              `config: ${rejected.map((x) => `${x.key}=${JSON.stringify(x.value)} rejected (${x.reason})`).join('; ')}`,
              details,
            );
          }
          return {
            message: `applied ${applied.length}, unchanged ${unchanged.length}, needs restart ${needsRestart.length}${needsRestart.length ? ` (${needsRestart.join(', ')})` : ''}`,
            details,
          };
        }),
    },
  };
}
