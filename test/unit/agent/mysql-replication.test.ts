import { describe, expect, it } from 'vitest';
import {
  changePrimaryStatement,
  gtidPositionQuery,
  gtidWaitQuery,
  planAttach,
} from '../../../src/agent/mysql/replication.ts';

const primary = { host: 'db-0.db', port: 3306 };
const account = { user: 'root', password: 'secret' };

describe('replication statements', () => {
  it('uses GTID positioning in each flavor, with the values as placeholders', () => {
    expect(changePrimaryStatement('mariadb', primary, account)).toEqual({
      sql: 'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = current_pos',
      values: ['db-0.db', 3306, 'root', 'secret'],
    });
    expect(changePrimaryStatement('mysql', primary, account).sql).toContain('SOURCE_AUTO_POSITION = 1');
    expect(gtidPositionQuery('mariadb')).toContain('gtid_binlog_pos');
    expect(gtidPositionQuery('mysql')).toContain('gtid_executed');
    expect(gtidWaitQuery('mariadb')).toContain('MASTER_GTID_WAIT');
    expect(gtidWaitQuery('mysql')).toContain('WAIT_FOR_EXECUTED_GTID_SET');
  });
});

describe('planAttach', () => {
  const req = { instance: 'shop', namespace: 'ns', type: 'mysql' };
  const me = { host: 'db-1.db', port: 3306 };
  it('leaves a primary alone and attaches a replica once', () => {
    expect(planAttach(req, { role: 'primary' })).toEqual({ action: 'primary' });
    expect(planAttach({ ...req, member: primary, primary }, { role: 'primary' })).toEqual({
      action: 'primary',
    });
    expect(planAttach({ ...req, member: me, primary }, { role: 'primary' })).toMatchObject({
      action: 'replicate',
      primary,
    });
    const following = {
      role: 'replica' as const,
      primaryHost: 'db-0.db',
      primaryPort: 3306,
      ioRunning: true,
      sqlRunning: true,
      secondsBehind: 0,
      lastError: '',
    };
    expect(planAttach({ ...req, member: me, primary }, following).action).toBe('none');
    expect(
      planAttach({ ...req, member: me, primary: { host: 'db-2.db', port: 3306 } }, following).action,
    ).toBe('replicate');
  });
});
