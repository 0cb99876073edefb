// The MySQL/MariaDB hook agent. Every handler opens its own connection with the call's deadline
// (connect and per-query timeouts), acting as the admin account from the credentials Secret.
import mysql from 'mysql2/promise';
import type { HookRequest, MemberRef } from '../contract.ts';
import { type CredentialSource, readCredential } from '../credentials.ts';
import { type Driver, type HookContext, type HookOutcome, remainingMs } from '../driver.ts';
import { badRequest, classifyClientError, HookError, refused, timedOut } from '../errors.ts';
import { describeMember } from '../request.ts';
import { checkUpgradePath, numericVersion, versionMatches } from '../versions.ts';
import {
  adminAccount,
  classifySetError,
  DEFAULT_MAX_TRANSACTION_SECONDS,
  describeLongTransactions,
  longTransactions,
  type MysqlCredentials,
  type MysqlReplication,
  type OpenTransaction,
  parseReplicaStatus,
  planMysqlInit,
  replicaProblem,
  sqlValue,
  variableName,
} from './decisions.ts';
import {
  changePrimaryStatement,
  type Flavor,
  gtidPositionQuery,
  gtidWaitQuery,
  planAttach,
} from './replication.ts';

export interface MysqlDriverOptions {
  host: string;
  port: number;
  /** Unix socket; used instead of host and port when set. */
  socket?: string;
  credentials: CredentialSource;
}

const DEFAULT_MAX_LAG_SECONDS = 10;
type Conn = mysql.Connection;
type Row = Record<string, unknown>;

export function createMysqlDriver(opts: MysqlDriverOptions): Driver {
  const readCredentials = async (): Promise<MysqlCredentials> => {
    const out: MysqlCredentials = {};
    for (const key of ['username', 'password', 'database', 'adminUsername', 'adminPassword'] as const) {
      const v = await readCredential(opts.credentials, key);
      if (v !== undefined) out[key] = v;
    }
    return out;
  };
  const local = opts.socket ? `mysql at ${opts.socket}` : `mysql at ${opts.host}:${opts.port}`;
  const where = local;

  type Query = (sql: string, values?: unknown[]) => Promise<Row[]>;

  /** Runs `fn` on a fresh connection to the local server, or to another member over TCP. */
  async function withMysql<T>(ctx: HookContext, fn: (c: Conn, q: Query) => Promise<T>, member?: MemberRef) {
    const where = member ? `mysql at ${member.host}:${member.port}` : local;
    const { user, password } = adminAccount(await readCredentials());
    let conn: Conn | undefined;
    const onAbort = () => conn?.destroy();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      conn = await mysql.createConnection({
        ...(member
          ? { host: member.host, port: member.port }
          : opts.socket
            ? { socketPath: opts.socket }
            : { host: opts.host, port: opts.port }),
        user,
        password,
        connectTimeout: remainingMs(ctx),
        multipleStatements: false,
      });
      conn.on('error', () => {}); // surfaced by the failing query
      const c = conn;
      const q = async (sql: string, values?: unknown[]) => {
        const [rows] = await c.query({ sql, timeout: remainingMs(ctx), ...(values ? { values } : {}) });
        return rows as Row[];
      };
      return await fn(c, q);
    } catch (err) {
      if (err instanceof HookError) throw err;
      const e = err as { code?: string; message?: string };
      if (e.code === 'PROTOCOL_SEQUENCE_TIMEOUT')
        throw timedOut(`${where} did not answer in time: ${e.message}`);
      const mapped = classifyClientError(err, where);
      if (mapped) throw mapped;
      if (ctx.signal.aborted) throw timedOut(`${where}: the call was cut off by its deadline`);
      throw new HookError(500, 'Internal', `${where}: ${e.message ?? String(err)}`);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      conn?.destroy();
    }
  }

  const need = (req: HookRequest | undefined): HookRequest => {
    if (!req) throw badRequest('body: missing; want a JSON HookRequest');
    return req;
  };

  async function serverVersion(q: (sql: string) => Promise<Row[]>) {
    const full = String((await q('SELECT VERSION() AS v'))[0]!.v);
    return {
      full,
      version: numericVersion(full).join('.'),
      flavor: /mariadb/i.test(full) ? 'mariadb' : 'mysql',
    };
  }

  async function replicationOf(q: (sql: string) => Promise<Row[]>): Promise<MysqlReplication> {
    try {
      return parseReplicaStatus(await q('SHOW REPLICA STATUS'));
    } catch (err) {
      // MySQL before 8.0.22 and MariaDB before 10.5.1 know only the old spelling.
      if ((err as { errno?: number }).errno !== 1064) throw err;
      return parseReplicaStatus(await q('SHOW SLAVE STATUS'));
    }
  }

  const replicationDetails = (r: MysqlReplication) =>
    r.role === 'primary'
      ? { role: 'primary' }
      : {
          role: 'replica',
          primary: { host: r.primaryHost, port: r.primaryPort },
          linkUp: r.ioRunning && r.sqlRunning,
          secondsBehind: r.secondsBehind,
        };

  const flavorOf = async (q: Query): Promise<Flavor> =>
    /mariadb/i.test(String((await q('SELECT VERSION() AS v'))[0]!.v)) ? 'mariadb' : 'mysql';

  /** Replicates from `primary`, as the admin account (the mysql type's root may log in from any host). */
  async function attach(q: Query, primary: MemberRef) {
    const flavor = await flavorOf(q);
    const account = adminAccount(await readCredentials());
    try {
      await q('STOP REPLICA');
    } catch (err) {
      // 1199/1255: replication is not configured or already stopped; nothing to stop.
      if (![1199, 1255].includes((err as { errno?: number }).errno ?? 0)) throw err;
    }
    const change = changePrimaryStatement(flavor, primary, account);
    await q(change.sql, change.values);
    await q('START REPLICA');
    await q('SET GLOBAL read_only = ON');
  }

  async function attachHook(req: HookRequest | undefined, ctx: HookContext): Promise<HookOutcome> {
    const r = need(req);
    return withMysql(ctx, async (_c, q) => {
      const rep = await replicationOf(q);
      const plan = planAttach(r, rep);
      if (plan.action === 'primary') {
        if (rep.role === 'replica' && r.primary !== undefined) {
          throw refused(
            'Refused',
            `primary: the request names this member the primary, but it replicates from ${rep.primaryHost}:${rep.primaryPort}; use /switchover to change the primary`,
          );
        }
        return {
          message: 'member is the primary; nothing to attach',
          details: { changed: false, ...replicationDetails(rep) },
        };
      }
      if (plan.action === 'replicate') await attach(q, plan.primary);
      return {
        message: plan.message,
        details: { changed: plan.action === 'replicate', ...replicationDetails(await replicationOf(q)) },
      };
    });
  }

  /** Promotes `target` and repoints the other members; `force` does not wait for the old primary. */
  async function changePrimary(
    req: HookRequest | undefined,
    ctx: HookContext,
    force: boolean,
  ): Promise<HookOutcome> {
    const r = need(req);
    const target = r.target;
    if (!target) throw badRequest('target: missing; want {host, port} of the member to promote');
    const key = (m: MemberRef) => `${m.host}:${m.port}`;
    const others = new Map<string, MemberRef>();
    for (const m of r.members ?? []) if (key(m) !== key(target)) others.set(key(m), m);

    const state = await withMysql(
      ctx,
      async (_c, q) => ({
        rep: await replicationOf(q),
        flavor: await flavorOf(q),
        logBin: Number((await q('SELECT @@GLOBAL.log_bin AS b'))[0]!.b) === 1,
      }),
      target,
    );
    let promoted = false;
    if (state.rep.role === 'replica') {
      if (!state.logBin) {
        throw refused(
          'NoBinlog',
          `target ${describeMember(target)} runs with log_bin OFF; it cannot serve replicas as the primary`,
        );
      }
      const oldPrimary: MemberRef = { host: state.rep.primaryHost, port: state.rep.primaryPort };
      if (!others.has(key(oldPrimary))) others.set(key(oldPrimary), oldPrimary);
      if (!force) await stopWritesAndCatchUp(oldPrimary, target, state.flavor, ctx);
      await withMysql(
        ctx,
        async (_c, q) => {
          await q('STOP REPLICA');
          await q('RESET REPLICA ALL');
          await q('SET GLOBAL read_only = OFF');
        },
        target,
      );
      promoted = true;
    }

    const repointed: string[] = [];
    const unchanged: string[] = [];
    const unreachableMembers: { member: string; error: string }[] = [];
    for (const m of others.values()) {
      try {
        const changed = await withMysql(
          ctx,
          async (_c, q) => {
            const rep = await replicationOf(q);
            if (rep.role === 'replica' && rep.primaryHost === target.host && rep.primaryPort === target.port)
              return false;
            await attach(q, target);
            return true;
          },
          m,
        );
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
        ...(force ? { unreachable: unreachableMembers } : {}),
      },
    };
  }

  /**
   * Makes the old primary read-only and waits until the target has executed every transaction it
   * wrote. On any failure the old primary is made writable again and nothing else changes.
   */
  async function stopWritesAndCatchUp(
    oldPrimary: MemberRef,
    target: MemberRef,
    flavor: Flavor,
    ctx: HookContext,
  ) {
    const position = await withMysql(
      ctx,
      async (_c, q) => {
        // MySQL's read_only still lets SUPER accounts write; super_read_only stops them too. MariaDB
        // 10.11 knows no super_read_only (error 1193). On MySQL, clearing read_only clears both.
        await q(flavor === 'mysql' ? 'SET GLOBAL super_read_only = ON' : 'SET GLOBAL read_only = ON');
        return String((await q(gtidPositionQuery(flavor)))[0]!.pos);
      },
      oldPrimary,
    );
    try {
      const waitSeconds = Math.max(0, Math.floor((ctx.deadline - Date.now() - 1000) / 1000));
      const result = await withMysql(
        ctx,
        async (_c, q) => Number((await q(gtidWaitQuery(flavor), [position, waitSeconds]))[0]!.r),
        target,
      );
      if (result !== 0) {
        throw refused(
          'ReplicaBehind',
          `target ${describeMember(target)} did not reach the primary's GTID position ${position} within ${waitSeconds}s; the primary is writable again and nothing was changed`,
        );
      }
    } catch (err) {
      const cleanup: HookContext = { deadline: Date.now() + 2000, signal: new AbortController().signal };
      await withMysql(cleanup, async (_c, q) => q('SET GLOBAL read_only = OFF'), oldPrimary).catch(() => {});
      throw err;
    }
  }

  return {
    type: 'mysql',
    hooks: {
      health: (_req, ctx) =>
        withMysql(ctx, async (_c, q) => {
          await q('SELECT 1');
          const v = await serverVersion(q);
          return {
            message: `${where} answered SELECT 1`,
            details: { middlewareVersion: v.version, serverVersion: v.full, flavor: v.flavor },
          };
        }),

      role: (_req, ctx) =>
        withMysql(ctx, async (_c, q) => {
          const rep = await replicationOf(q);
          const readOnly = Number((await q('SELECT @@GLOBAL.read_only AS ro'))[0]!.ro) === 1;
          const v = await serverVersion(q);
          return {
            message: `member is a ${rep.role}${readOnly ? ' (read_only)' : ''}`,
            details: { ...replicationDetails(rep), readOnly, middlewareVersion: v.version },
          };
        }),

      init: (req, ctx) =>
        withMysql(ctx, async (c, q) => {
          const r = need(req);
          const rep = await replicationOf(q);
          const attachPlan = planAttach(r, rep);
          if (attachPlan.action !== 'primary') {
            if (attachPlan.action === 'replicate') await attach(q, attachPlan.primary);
            return {
              message: `${attachPlan.message}; the user and database arrive by replication`,
              details: {
                changed: attachPlan.action === 'replicate',
                ...replicationDetails(await replicationOf(q)),
              },
            };
          }
          if (rep.role === 'replica' && r.primary !== undefined) {
            throw refused(
              'Refused',
              `primary: the request names this member the primary, but it replicates from ${rep.primaryHost}:${rep.primaryPort}; use /switchover to change the primary`,
            );
          }
          if (rep.role === 'replica') {
            return {
              message: `member replicates from ${rep.primaryHost}:${rep.primaryPort}; the user and database arrive by replication`,
              details: { changed: false, ...replicationDetails(rep) },
            };
          }
          const plan = planMysqlInit(await readCredentials());
          if (plan.kind === 'problem')
            throw refused('CredentialsMissing', `credentials Secret: ${plan.message}`);
          if (plan.kind === 'nothing') return { message: plan.message, details: { changed: false } };
          const { database } = plan;
          const hadDb =
            (await q('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database])).length >
            0;
          await q(`CREATE DATABASE IF NOT EXISTS ${c.escapeId(database)}`);
          if (plan.kind === 'database') {
            return {
              message: hadDb ? `database ${database} already exists` : `created database ${database}`,
              details: { changed: !hadDb, createdDatabase: !hadDb, createdUser: false, database },
            };
          }
          const { username, password } = plan;
          const hadUser =
            (await q("SELECT 1 FROM mysql.user WHERE User = ? AND Host = '%'", [username])).length > 0;
          await q("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [username, password]);
          // The Secret is the truth: a rotated password is applied on the next init.
          await q("ALTER USER ?@'%' IDENTIFIED BY ?", [username, password]);
          await q(`GRANT ALL PRIVILEGES ON ${c.escapeId(database)}.* TO ?@'%'`, [username]);
          const created = [hadDb ? '' : `database ${database}`, hadUser ? '' : `user ${username}`].filter(
            Boolean,
          );
          return {
            message: created.length
              ? `created ${created.join(' and ')}; ${username} has all privileges on ${database}`
              : `database ${database} and user ${username} already exist; password and grants are up to date`,
            details: {
              changed: created.length > 0,
              createdDatabase: !hadDb,
              createdUser: !hadUser,
              database,
              username,
            },
          };
        }),

      preUpgrade: (req, ctx) =>
        withMysql(ctx, async (_c, q) => {
          const r = need(req);
          if (!r.targetMiddlewareVersion) {
            throw badRequest('targetMiddlewareVersion: missing; want the middleware version to upgrade to');
          }
          const v = await serverVersion(q);
          const path = checkUpgradePath(v.version, r.targetMiddlewareVersion, r.allowedUpgradePath);
          const details: Record<string, unknown> = { runningVersion: v.version, flavor: v.flavor };
          if (!path.ok) {
            if (path.reason === 'BadRequest') throw badRequest(path.message, details);
            throw refused(path.reason, path.message, details);
          }
          const maxTrx = r.limits?.maxTransactionSeconds ?? DEFAULT_MAX_TRANSACTION_SECONDS;
          const trx: OpenTransaction[] = (
            await q(
              'SELECT trx_id AS id, trx_mysql_thread_id AS threadId, TIMESTAMPDIFF(SECOND, trx_started, NOW()) AS age, trx_query AS query FROM information_schema.innodb_trx',
            )
          ).map((t) => ({
            id: String(t.id),
            threadId: Number(t.threadId),
            ageSeconds: Number(t.age),
            query: t.query === null ? null : String(t.query),
          }));
          const long = longTransactions(trx, maxTrx);
          details.openTransactions = trx.length;
          if (long.length > 0) {
            throw refused('LongTransaction', describeLongTransactions(long, maxTrx), {
              ...details,
              longTransactions: long,
            });
          }
          const rep = await replicationOf(q);
          const lag = replicaProblem(rep, r.limits?.maxReplicationLagSeconds ?? DEFAULT_MAX_LAG_SECONDS);
          if (lag) throw refused('ReplicationLag', lag, { ...details, ...replicationDetails(rep) });
          return { message: `${path.message}; no transaction older than ${maxTrx}s`, details };
        }),

      postUpgrade: (req, ctx) =>
        withMysql(ctx, async (_c, q) => {
          const r = need(req);
          if (!r.targetMiddlewareVersion) {
            throw badRequest('targetMiddlewareVersion: missing; want the version the member should now run');
          }
          const v = await serverVersion(q);
          if (!versionMatches(v.version, r.targetMiddlewareVersion)) {
            throw refused(
              'VersionMismatch',
              `targetMiddlewareVersion: ${r.targetMiddlewareVersion}, but the member runs ${v.full}`,
              { runningVersion: v.version },
            );
          }
          return { message: `member runs ${v.full} as expected`, details: { runningVersion: v.version } };
        }),

      preScaleIn: (req, ctx) =>
        withMysql(ctx, async (_c, q) => {
          const r = need(req);
          const name = r.member ? describeMember(r.member) : where;
          const rep = await replicationOf(q);
          if (rep.role === 'primary') {
            throw refused(
              'IsPrimary',
              `member ${name} is the current primary; switch over to another member before removing it`,
            );
          }
          return { message: `member ${name} is a replica; it may leave`, details: replicationDetails(rep) };
        }),

      postScaleOut: attachHook,
      switchover: (req, ctx) => changePrimary(req, ctx, false),
      failover: (req, ctx) => changePrimary(req, ctx, true),

      reloadConfig: (req, ctx) =>
        withMysql(ctx, async (c, q): Promise<HookOutcome> => {
          const r = need(req);
          const restartKeys = new Set(r.restartKeys ?? []);
          const applied: string[] = [];
          const unchanged: string[] = [];
          const needsRestart: string[] = [];
          const rejected: { key: string; value: string; reason: string }[] = [];
          for (const [key, raw] of Object.entries(r.config ?? {})) {
            if (restartKeys.has(key)) {
              needsRestart.push(key);
              continue;
            }
            const name = variableName(key);
            if (!name) {
              rejected.push({
                key,
                value: String(raw),
                reason: 'not a system variable name (letters, digits, _ or -)',
              });
              continue;
            }
            try {
              const read = async () => (await q(`SELECT @@GLOBAL.${name} AS v`))[0]!.v;
              const before = await read();
              await q(`SET GLOBAL ${name} = ${sqlValue(raw, (s) => c.escape(s))}`);
              (String(await read()) === String(before) ? unchanged : applied).push(key);
            } catch (err) {
              if (err instanceof HookError) throw err;
              const e = err as { errno?: number; message?: string; fatal?: boolean };
              if (e.errno === undefined || e.fatal) throw err; // connection trouble, not a verdict on the value
              if (classifySetError(e.errno) === 'needsRestart') needsRestart.push(key);
              else rejected.push({ key, value: String(raw), reason: e.message ?? String(err) });
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
