import { describe, expect, it } from 'vitest';
import {
  adminAccount,
  classifySetError,
  credentialsProblem,
  describeLongTransactions,
  longTransactions,
  parseReplicaStatus,
  planMysqlInit,
  replicaProblem,
  sqlValue,
  variableName,
} from '../../../src/agent/mysql/decisions.ts';

describe('parseReplicaStatus', () => {
  it('treats no rows as primary', () => {
    expect(parseReplicaStatus([])).toEqual({ role: 'primary' });
  });
  it("reads MariaDB's column names", () => {
    expect(
      parseReplicaStatus([
        {
          Master_Host: 'db-0',
          Master_Port: 3306,
          Slave_IO_Running: 'Yes',
          Slave_SQL_Running: 'Yes',
          Seconds_Behind_Master: 2,
          Last_Error: '',
        },
      ]),
    ).toEqual({
      role: 'replica',
      primaryHost: 'db-0',
      primaryPort: 3306,
      ioRunning: true,
      sqlRunning: true,
      secondsBehind: 2,
      lastError: '',
    });
  });
  it("reads MySQL 8's column names", () => {
    expect(
      parseReplicaStatus([
        {
          Source_Host: 'db-0',
          Source_Port: 3307,
          Replica_IO_Running: 'No',
          Replica_SQL_Running: 'Yes',
          Seconds_Behind_Source: null,
        },
      ]),
    ).toMatchObject({ role: 'replica', primaryPort: 3307, ioRunning: false, secondsBehind: null });
  });
});

describe('replicaProblem', () => {
  const r = {
    role: 'replica' as const,
    primaryHost: 'db-0',
    primaryPort: 3306,
    ioRunning: true,
    sqlRunning: true,
    secondsBehind: 0,
    lastError: '',
  };
  it('names a stopped thread with its error, unknown lag and too much lag', () => {
    expect(replicaProblem({ ...r, sqlRunning: false, lastError: 'Duplicate entry' }, 10)).toBe(
      'replication from db-0:3306 is stopped (IO running, SQL stopped): Duplicate entry',
    );
    expect(replicaProblem({ ...r, secondsBehind: null }, 10)).toContain('unknown');
    expect(replicaProblem({ ...r, secondsBehind: 11 }, 10)).toBe(
      'replication lag 11s exceeds limits.maxReplicationLagSeconds 10',
    );
    expect(replicaProblem(r, 10)).toBeUndefined();
    expect(replicaProblem({ role: 'primary' }, 0)).toBeUndefined();
  });
});

describe('long transactions', () => {
  const trx = [
    { id: '1', threadId: 5, ageSeconds: 10, query: null },
    { id: '2', threadId: 6, ageSeconds: 120, query: 'UPDATE orders SET paid = 1' },
    { id: '3', threadId: 7, ageSeconds: 61, query: null },
  ];
  it('keeps those strictly older than the limit, oldest first, and describes the oldest', () => {
    const long = longTransactions(trx, 60);
    expect(long.map((t) => t.id)).toEqual(['2', '3']);
    expect(describeLongTransactions(long, 60)).toBe(
      '2 transaction(s) older than limits.maxTransactionSeconds 60s are running; oldest: trx 2 on thread 6, 120s, running "UPDATE orders SET paid = 1"; upgrade after they end',
    );
    expect(longTransactions(trx, 120)).toEqual([]);
  });
});

describe('SET GLOBAL spelling', () => {
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  it('accepts my.cnf names with dashes and rejects anything that is not a name', () => {
    expect(variableName('max-allowed-packet')).toBe('max_allowed_packet');
    expect(variableName('max_connections; DROP TABLE x')).toBeUndefined();
    expect(variableName('@@global.x')).toBeUndefined();
  });
  it('turns sizes, numbers and booleans into literals and quotes the rest', () => {
    expect(sqlValue('64M', quote)).toBe(String(64 * 1024 * 1024));
    expect(sqlValue('1g', quote)).toBe(String(1024 ** 3));
    expect(sqlValue(200, quote)).toBe('200');
    expect(sqlValue('200', quote)).toBe('200');
    expect(sqlValue(true, quote)).toBe('ON');
    expect(sqlValue("STRICT_TRANS_TABLES,NO_ZERO_DATE'", quote)).toBe("'STRICT_TRANS_TABLES,NO_ZERO_DATE'''");
  });
  it('classifies read-only variables as needing a restart', () => {
    expect(classifySetError(1238)).toBe('needsRestart');
    expect(classifySetError(1193)).toBe('rejected');
    expect(classifySetError(1231)).toBe('rejected');
  });
});

describe('credentialsProblem', () => {
  it('names the missing key and where it is read from, and rejects unsafe names', () => {
    expect(credentialsProblem({})).toBe(
      'username: missing; set MWOP_USERNAME or the file username in MWOP_CREDENTIALS_DIR',
    );
    expect(credentialsProblem({ username: 'app', password: 'p' })).toContain('database: missing');
    expect(credentialsProblem({ username: "a'b", password: 'p', database: 'd' })).toBe(
      'username: got "a\'b", want 1-80 of A-Z a-z 0-9 _ . -',
    );
    expect(credentialsProblem({ username: 'app', password: 'p', database: 'my-db' })).toContain(
      'database: got "my-db"',
    );
    expect(credentialsProblem({ username: 'app', password: 'p', database: 'appdb' })).toBeUndefined();
  });
});

describe('adminAccount and planMysqlInit', () => {
  it("uses the Secret's password for root when the Secret names root (the generated Secret of the mysql type)", () => {
    expect(adminAccount({ username: 'root', password: 'gen' })).toEqual({ user: 'root', password: 'gen' });
    expect(adminAccount({ password: 'gen' })).toEqual({ user: 'root', password: 'gen' });
    expect(adminAccount({ username: 'shop', password: 'app' })).toEqual({ user: 'root', password: '' });
    expect(adminAccount({ username: 'shop', password: 'app', adminPassword: 'adm' })).toEqual({
      user: 'root',
      password: 'adm',
    });
    expect(adminAccount({ username: 'dba', password: 'x', adminUsername: 'dba' })).toEqual({
      user: 'dba',
      password: 'x',
    });
  });

  it('creates nothing for the admin account, only a database when one is named, and an app user otherwise', () => {
    expect(planMysqlInit({ username: 'root', password: 'gen' })).toEqual({
      kind: 'nothing',
      message: 'the credentials name the admin account root and no database: nothing to create',
    });
    expect(planMysqlInit({ username: 'root', password: 'gen', database: 'app' })).toEqual({
      kind: 'database',
      database: 'app',
    });
    expect(planMysqlInit({ username: 'shop', password: 'p', database: 'shopdb' })).toEqual({
      kind: 'user',
      username: 'shop',
      password: 'p',
      database: 'shopdb',
    });
    expect(planMysqlInit({ username: 'shop', password: 'p' })).toMatchObject({
      kind: 'problem',
      message: expect.stringContaining('database: missing'),
    });
    expect(planMysqlInit({ database: 'bad-name' })).toMatchObject({ kind: 'problem' });
  });
});
