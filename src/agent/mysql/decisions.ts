// The MySQL/MariaDB agent's decisions and SQL spelling, as pure functions.

export type MysqlReplication =
  | { role: 'primary' }
  | {
      role: 'replica';
      primaryHost: string;
      primaryPort: number;
      ioRunning: boolean;
      sqlRunning: boolean;
      secondsBehind: number | null;
      lastError: string;
    };

type Row = Record<string, unknown>;
const pick = (row: Row, ...names: string[]): unknown => {
  for (const n of names) if (row[n] !== undefined) return row[n];
  return undefined;
};

/** SHOW REPLICA STATUS rows, with MariaDB's (Master_*, Slave_*) or MySQL 8's (Source_*, Replica_*) column names. */
export function parseReplicaStatus(rows: Row[]): MysqlReplication {
  const row = rows.find((r) => String(pick(r, 'Master_Host', 'Source_Host') ?? '') !== '');
  if (!row) return { role: 'primary' };
  const behind = pick(row, 'Seconds_Behind_Master', 'Seconds_Behind_Source');
  return {
    role: 'replica',
    primaryHost: String(pick(row, 'Master_Host', 'Source_Host')),
    primaryPort: Number(pick(row, 'Master_Port', 'Source_Port') ?? 3306),
    ioRunning: pick(row, 'Slave_IO_Running', 'Replica_IO_Running') === 'Yes',
    sqlRunning: pick(row, 'Slave_SQL_Running', 'Replica_SQL_Running') === 'Yes',
    secondsBehind: behind === null || behind === undefined ? null : Number(behind),
    lastError: String(pick(row, 'Last_Error') ?? ''),
  };
}

export function replicaProblem(r: MysqlReplication, maxLagSeconds: number): string | undefined {
  if (r.role !== 'replica') return undefined;
  if (!r.ioRunning || !r.sqlRunning) {
    return `replication from ${r.primaryHost}:${r.primaryPort} is stopped (IO ${r.ioRunning ? 'running' : 'stopped'}, SQL ${r.sqlRunning ? 'running' : 'stopped'})${r.lastError ? `: ${r.lastError}` : ''}`;
  }
  if (r.secondsBehind === null) return `replication lag from ${r.primaryHost}:${r.primaryPort} is unknown`;
  if (r.secondsBehind > maxLagSeconds) {
    return `replication lag ${r.secondsBehind}s exceeds limits.maxReplicationLagSeconds ${maxLagSeconds}`;
  }
  return undefined;
}

export interface OpenTransaction {
  id: string;
  threadId: number;
  ageSeconds: number;
  query: string | null;
}

export const DEFAULT_MAX_TRANSACTION_SECONDS = 60;

/** The transactions older than the limit, oldest first, or an empty list. */
export function longTransactions(trx: OpenTransaction[], maxSeconds: number): OpenTransaction[] {
  return trx.filter((t) => t.ageSeconds > maxSeconds).sort((a, b) => b.ageSeconds - a.ageSeconds);
}

export function describeLongTransactions(long: OpenTransaction[], maxSeconds: number): string {
  const oldest = long[0]!;
  return `${long.length} transaction(s) older than limits.maxTransactionSeconds ${maxSeconds}s are running; oldest: trx ${oldest.id} on thread ${oldest.threadId}, ${oldest.ageSeconds}s${oldest.query ? `, running ${JSON.stringify(oldest.query.slice(0, 120))}` : ''}; upgrade after they end`;
}

/** A system variable name as SET GLOBAL takes it; my.cnf spelling with dashes is accepted. */
export function variableName(key: string): string | undefined {
  const name = key.replace(/-/g, '_').toLowerCase();
  return /^[a-z][a-z0-9_]{0,63}$/.test(name) ? name : undefined;
}

const SIZE = /^(\d+)([KMGT])$/i;
const UNIT: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * The right-hand side of SET GLOBAL: numbers and my.cnf sizes ("64M") as numbers, booleans as
 * ON/OFF, anything else as a quoted string (quoted by `quote`, the driver's own escaping).
 */
export function sqlValue(v: string | number | boolean, quote: (s: string) => string): string {
  if (typeof v === 'boolean') return v ? 'ON' : 'OFF';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  const size = SIZE.exec(v.trim());
  if (size) return String(Number(size[1]) * UNIT[size[2]!.toUpperCase()]!);
  if (/^-?\d+(\.\d+)?$/.test(v.trim())) return v.trim();
  return quote(v);
}

export type SetOutcome = 'needsRestart' | 'rejected';

/** MariaDB/MySQL error numbers for SET GLOBAL: read-only variables need a restart, the rest are rejections. */
export function classifySetError(errno: number | undefined): SetOutcome {
  // 1238 ER_INCORRECT_GLOBAL_LOCAL_VAR: "Variable 'x' is a read only variable".
  return errno === 1238 ? 'needsRestart' : 'rejected';
}

const IDENT = /^[A-Za-z0-9_]{1,64}$/;
const USER = /^[A-Za-z0-9_.-]{1,80}$/;

/** What is wrong with the credentials /init would use, or undefined. The source names env and file. */
export function credentialsProblem(c: {
  username?: string;
  password?: string;
  database?: string;
}): string | undefined {
  if (!c.username) return 'username: missing; set MWOP_USERNAME or the file username in MWOP_CREDENTIALS_DIR';
  if (!USER.test(c.username))
    return `username: got ${JSON.stringify(c.username)}, want 1-80 of A-Z a-z 0-9 _ . -`;
  if (!c.password) return 'password: missing; set MWOP_PASSWORD or the file password in MWOP_CREDENTIALS_DIR';
  if (!c.database) return 'database: missing; set MWOP_DATABASE or the file database in MWOP_CREDENTIALS_DIR';
  if (!IDENT.test(c.database))
    return `database: got ${JSON.stringify(c.database)}, want 1-64 of A-Z a-z 0-9 _`;
  return undefined;
}

export interface MysqlCredentials {
  username?: string;
  password?: string;
  database?: string;
  adminUsername?: string;
  adminPassword?: string;
}

/**
 * The account the agent acts as. The mysql type's generated Secret holds only the root password
 * (username root, also MYSQL_ROOT_PASSWORD): when the credentials name the admin account, or no
 * user at all, its password is the admin password. Otherwise the admin password is admin-password,
 * or empty for unix_socket authentication.
 */
export function adminAccount(c: MysqlCredentials): { user: string; password: string } {
  const user = c.adminUsername ?? 'root';
  if (c.adminPassword !== undefined) return { user, password: c.adminPassword };
  const sameAccount = c.username === undefined || c.username === user;
  return { user, password: sameAccount ? (c.password ?? '') : '' };
}

export type InitPlan =
  | { kind: 'nothing'; message: string }
  | { kind: 'database'; database: string }
  | { kind: 'user'; username: string; password: string; database: string }
  | { kind: 'problem'; message: string };

/** What /init creates from the credentials: an application user and database, only a database, or nothing. */
export function planMysqlInit(c: MysqlCredentials): InitPlan {
  const admin = adminAccount(c).user;
  if (c.username === undefined || c.username === admin) {
    if (c.database === undefined) {
      return {
        kind: 'nothing',
        message: `the credentials name the admin account ${admin} and no database: nothing to create`,
      };
    }
    if (!IDENT.test(c.database))
      return {
        kind: 'problem',
        message: `database: got ${JSON.stringify(c.database)}, want 1-64 of A-Z a-z 0-9 _`,
      };
    return { kind: 'database', database: c.database };
  }
  const problem = credentialsProblem(c);
  if (problem) return { kind: 'problem', message: problem };
  return { kind: 'user', username: c.username, password: c.password!, database: c.database! };
}
