// The MySQL/MariaDB hook agent. Every handler opens its own connection with the call's deadline
// (connect and per-query timeouts), acting as the admin account from the credentials Secret.
import mysql from 'mysql2/promise';
import type { HookRequest } from '../contract.ts';
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
  const where = opts.socket ? `mysql at ${opts.socket}` : `mysql at ${opts.host}:${opts.port}`;

  async function withMysql<T>(
    ctx: HookContext,
    fn: (c: Conn, q: (sql: string, values?: unknown[]) => Promise<Row[]>) => Promise<T>,
  ) {
    const { user, password } = adminAccount(await readCredentials());
    let conn: Conn | undefined;
    const onAbort = () => conn?.destroy();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      conn = await mysql.createConnection({
        ...(opts.socket ? { socketPath: opts.socket } : { host: opts.host, port: opts.port }),
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
          need(req);
          const rep = await replicationOf(q);
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
