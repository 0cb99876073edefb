// The MySQL/MariaDB agent changes the primary of a real three-member MariaDB topology.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberRef } from '../../../src/agent/contract.ts';
import { createMysqlDriver } from '../../../src/agent/mysql/driver.ts';
import { type MariadbServer, startMariadbServer } from '../../support/mariadb-server.ts';
import { pollUntil } from '../../support/process.ts';
import { base, type RunningAgent, startAgent } from './harness.ts';

const req = base('mysql');
const creds = {
  dir: undefined,
  env: { MWOP_USERNAME: 'shop', MWOP_PASSWORD: 'shop-password', MWOP_DATABASE: 'shopdb' },
};
interface Member {
  db: MariadbServer;
  agent: RunningAgent;
  ref: MemberRef;
}
const members: Member[] = [];
const m0 = {} as Member;
const m1 = {} as Member;
const m2 = {} as Member;

beforeAll(async () => {
  // Every member can become the primary: binlog on, and replicated changes logged too.
  const dbs = await Promise.all(
    [1, 2, 3].map((serverId) =>
      startMariadbServer({ binlog: true, serverId, args: ['--log-slave-updates'] }),
    ),
  );
  for (const [i, m] of [m0, m1, m2].entries()) {
    m.db = dbs[i]!;
    m.ref = { name: `shop-${i}`, host: m.db.host, port: m.db.port };
    m.agent = await startAgent(
      createMysqlDriver({ host: m.db.host, port: m.db.port, socket: m.db.socket, credentials: creds }),
    );
    members.push(m);
  }
}, 300_000);

afterAll(async () => {
  await Promise.all(members.map((m) => m.agent.close()));
  await Promise.all(members.map((m) => m.db.stop()));
});

const role = async (m: Member) => (await m.agent.call('/role', req)).body.details as Record<string, unknown>;
const count = async (m: Member) => (await m.db.sql('SELECT COUNT(*) FROM shopdb.orders')).trim();

async function waitFollows(m: Member, primary: Member) {
  await pollUntil(`${m.ref.name} follows ${primary.ref.name}`, async () => {
    const r = await role(m);
    return r.role === 'replica' && r.linkUp === true && (r.primary as MemberRef).port === primary.ref.port;
  });
}

describe('mysql agent: attach, switchover, failover', () => {
  it('init creates the user on the primary; post-scale-out attaches the new members, twice safely', async () => {
    expect(
      (await m0.agent.call('/init', { ...req, member: m0.ref, primary: m0.ref })).body.details,
    ).toMatchObject({ createdUser: true });
    await m0.db.sql(
      'CREATE TABLE shopdb.orders (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO shopdb.orders VALUES (1)',
    );
    for (const m of [m1, m2]) {
      const res = await m.agent.call('/post-scale-out', { ...req, member: m.ref, primary: m0.ref });
      expect(res.status, res.body.message).toBe(200);
      expect(res.body.details).toMatchObject({ changed: true });
      await waitFollows(m, m0);
      const again = await m.agent.call('/post-scale-out', { ...req, member: m.ref, primary: m0.ref });
      expect(again.body.details).toMatchObject({ changed: false });
    }
    await pollUntil('rows replicated', async () => (await count(m1)) === '1' && (await count(m2)) === '1');
    expect((await role(m1)).readOnly).toBe(true);
  });

  it('switchover promotes the chosen replica, repoints the others, and writes flow from the new primary', async () => {
    const members = [m0.ref, m1.ref, m2.ref];
    const res = await m1.agent.call('/switchover', { ...req, target: m1.ref, members });
    expect(res.status, res.body.message).toBe(200);
    expect(res.body.details).toMatchObject({ promoted: true });
    expect(await role(m1)).toMatchObject({ role: 'primary', readOnly: false });
    await waitFollows(m0, m1);
    await waitFollows(m2, m1);
    await m1.db.sql('INSERT INTO shopdb.orders VALUES (2)');
    await pollUntil(
      'write on the new primary reaches both others',
      async () => (await count(m0)) === '2' && (await count(m2)) === '2',
    );

    const again = await m1.agent.call('/switchover', { ...req, target: m1.ref, members });
    expect(again.body.details).toMatchObject({ promoted: false, repointed: [] });
  });

  it('failover promotes a replica when the primary is gone, reporting what it could not reach', async () => {
    await m1.db.stop();
    const res = await m2.agent.call('/failover', {
      ...req,
      target: m2.ref,
      members: [m0.ref, m1.ref, m2.ref],
    });
    expect(res.status, res.body.message).toBe(200);
    expect(res.body.details).toMatchObject({
      promoted: true,
      repointed: [`shop-0 (127.0.0.1:${m0.ref.port})`],
    });
    expect(res.body.details?.unreachable).toHaveLength(1);
    expect(await role(m2)).toMatchObject({ role: 'primary', readOnly: false });
    await waitFollows(m0, m2);
    await m2.db.sql('INSERT INTO shopdb.orders VALUES (3)');
    await pollUntil(
      'write on the failover primary reaches the survivor',
      async () => (await count(m0)) === '3',
    );
  });
});
