// The MySQL/MariaDB agent on a real replication pair: role, init and scale-in on a replica.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatResults, runConformance, summarize } from '../../../src/agent/conformance/runner.ts';
import { DEFAULT_HOOKS_BY_TYPE } from '../../../src/agent/contract.ts';
import { createMysqlDriver } from '../../../src/agent/mysql/driver.ts';
import { type MariadbServer, startMariadbServer, startReplication } from '../../support/mariadb-server.ts';
import { pollUntil } from '../../support/process.ts';
import { base, type RunningAgent, startAgent } from './harness.ts';

const creds = {
  dir: undefined,
  env: { MWOP_USERNAME: 'shop', MWOP_PASSWORD: 'shop-password', MWOP_DATABASE: 'shopdb' },
};
const req = base('mysql');
let primary: MariadbServer;
let replica: MariadbServer;
let onPrimary: RunningAgent;
let onReplica: RunningAgent;

beforeAll(async () => {
  [primary, replica] = await Promise.all([
    startMariadbServer({ binlog: true, serverId: 1 }),
    startMariadbServer({ serverId: 2 }),
  ]);
  await startReplication(primary, replica);
  const agentFor = (s: MariadbServer) =>
    startAgent(createMysqlDriver({ host: s.host, port: s.port, socket: s.socket, credentials: creds }));
  [onPrimary, onReplica] = await Promise.all([agentFor(primary), agentFor(replica)]);
  // MariaDB's install-db and start are slow on a loaded machine; still bounded.
}, 300_000);

afterAll(async () => {
  await Promise.all([onPrimary?.close(), onReplica?.close()]);
  await Promise.all([primary?.stop(), replica?.stop()]);
});

describe('mysql agent on a replica', () => {
  it('/role names the primary it replicates from', async () => {
    const res = await onReplica.call('/role', req);
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({
      role: 'replica',
      primary: { host: primary.host, port: primary.port },
      linkUp: true,
    });
    expect((await onPrimary.call('/role', req)).body.details).toMatchObject({ role: 'primary' });
  });

  it('/init creates nothing on the replica; the user arrives by replication and can log in there', async () => {
    const res = await onReplica.call('/init', req);
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({ changed: false, role: 'replica' });
    expect((await replica.sql("SELECT COUNT(*) FROM mysql.user WHERE User='shop'")).trim()).toBe('0');

    expect((await onPrimary.call('/init', req)).body.details).toMatchObject({ createdUser: true });
    await pollUntil(
      'user replicated',
      async () => (await replica.sql("SELECT COUNT(*) FROM mysql.user WHERE User='shop'")).trim() === '1',
    );
    const conn = await mysql.createConnection({
      host: replica.host,
      port: replica.port,
      user: 'shop',
      password: 'shop-password',
      database: 'shopdb',
    });
    await conn.end();
  });

  it('/pre-scale-in lets the replica go and refuses the primary', async () => {
    expect((await onReplica.call('/pre-scale-in', req)).status).toBe(200);
    expect((await onPrimary.call('/pre-scale-in', req)).body.reason).toBe('IsPrimary');
  });

  it('passes the conformance kit', async () => {
    const results = await runConformance({
      url: onReplica.url,
      type: 'mysql',
      hooks: DEFAULT_HOOKS_BY_TYPE.mysql!,
    });
    expect(summarize(results), formatResults(results)).toEqual({ pass: results.length, fail: 0, skip: 0 });
  });

  it('/switchover refuses a target that writes no binary log', async () => {
    const target = { host: replica.host, port: replica.port };
    const res = await onReplica.call('/switchover', {
      ...req,
      target,
      members: [target, { host: primary.host, port: primary.port }],
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ reason: 'NoBinlog', retryable: false });
    expect(res.body.message).toContain('log_bin OFF');
    expect((await onReplica.call('/role', req)).body.details).toMatchObject({ role: 'replica' });
  });

  it('/pre-upgrade refuses while replication is stopped, naming the stopped thread', async () => {
    const upgrade = { ...req, targetMiddlewareVersion: '99.1.0', allowedUpgradePath: ['99.1.0'] };
    expect((await onReplica.call('/pre-upgrade', upgrade)).status).toBe(200);
    await replica.sql('STOP SLAVE SQL_THREAD');
    const res = await onReplica.call('/pre-upgrade', upgrade);
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('ReplicationLag');
    expect(res.body.message).toBe(
      `replication from ${primary.host}:${primary.port} is stopped (IO running, SQL stopped)`,
    );
    await replica.sql('START SLAVE SQL_THREAD');
  });
});
