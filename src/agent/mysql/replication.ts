// Replication statements for MariaDB and MySQL 8, and the plan for attaching a member. Pure.
// MariaDB positions by GTID with MASTER_USE_GTID; MySQL 8.0.23+ with SOURCE_AUTO_POSITION.
import type { HookRequest, MemberRef } from '../contract.ts';
import type { MysqlReplication } from './decisions.ts';

export type Flavor = 'mariadb' | 'mysql';

export interface ReplicationAccount {
  user: string;
  password: string;
}

/** CHANGE MASTER / CHANGE REPLICATION SOURCE with `?` placeholders and their values. */
export function changePrimaryStatement(
  flavor: Flavor,
  primary: MemberRef,
  account: ReplicationAccount,
): { sql: string; values: unknown[] } {
  const values = [primary.host, primary.port, account.user, account.password];
  if (flavor === 'mariadb') {
    // current_pos: a demoted primary has no slave position yet; its own binlog position is where it stands.
    return {
      sql: 'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = current_pos',
      values,
    };
  }
  return {
    sql: 'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, SOURCE_AUTO_POSITION = 1, GET_SOURCE_PUBLIC_KEY = 1',
    values,
  };
}

/** The executed-transactions position of a primary, and how a replica waits for it. */
export function gtidPositionQuery(flavor: Flavor): string {
  return flavor === 'mariadb'
    ? 'SELECT @@GLOBAL.gtid_binlog_pos AS pos'
    : 'SELECT @@GLOBAL.gtid_executed AS pos';
}

/** Returns a row {r}: 0 when caught up; -1 (MariaDB) or 1 (MySQL) on timeout. */
export function gtidWaitQuery(flavor: Flavor): string {
  return flavor === 'mariadb'
    ? 'SELECT MASTER_GTID_WAIT(?, ?) AS r'
    : 'SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS r';
}

export type AttachPlan =
  | { action: 'none'; message: string }
  | { action: 'replicate'; primary: MemberRef; message: string }
  | { action: 'primary' };

/** init and postScaleOut: follow `primary` when the request names another member as the primary. */
export function planAttach(request: HookRequest, replication: MysqlReplication): AttachPlan {
  const { member, primary } = request;
  if (
    primary === undefined ||
    (member !== undefined && member.host === primary.host && member.port === primary.port)
  ) {
    return { action: 'primary' };
  }
  if (
    replication.role === 'replica' &&
    replication.primaryHost === primary.host &&
    replication.primaryPort === primary.port
  ) {
    return { action: 'none', message: `member already replicates from ${primary.host}:${primary.port}` };
  }
  return {
    action: 'replicate',
    primary,
    message: `member now replicates from ${primary.host}:${primary.port}`,
  };
}
