// The Redis reference agent against real redis-server processes: a primary and two replicas.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberRef } from '../../../src/agent/contract.ts';
import { createRedisDriver } from '../../../src/agent/redis/driver.ts';
import { parseInfo, parseReplication } from '../../../src/agent/redis/info.ts';
import { pollUntil } from '../../support/process.ts';
import { type RedisServer, startRedisServer } from '../../support/redis-server.ts';
import { base, type RunningAgent, startAgent, startSilentServer } from './harness.ts';

const PASSWORD = 'agent-test-secret';
const creds = { dir: undefined, env: { MWOP_PASSWORD: PASSWORD } };

const servers: RedisServer[] = [];
const agents: RunningAgent[] = [];
const clients: Redis[] = [];

async function member(
  name: string,
): Promise<{ server: RedisServer; agent: RunningAgent; ref: MemberRef; redis: Redis }> {
  const server = await startRedisServer({ password: PASSWORD });
  servers.push(server);
  const agent = await startAgent(
    createRedisDriver({ host: server.host, port: server.port, credentials: creds }),
  );
  agents.push(agent);
  const redis = new Redis({ host: server.host, port: server.port, password: PASSWORD, lazyConnect: true });
  redis.on('error', () => {}); // a server stopped on purpose (failover) is not a test failure
  clients.push(redis);
  return { server, agent, ref: { name, host: server.host, port: server.port }, redis };
}

const replication = async (r: Redis) => parseReplication(parseInfo(await r.info('replication')));
const replicasOnline = (rep: Awaited<ReturnType<typeof replication>>) =>
  rep.role !== 'primary' || rep.replicas.every((r) => r.state === 'online');

async function waitReplicaOf(r: Redis, primary: MemberRef) {
  await pollUntil(`replica link up to ${primary.port}`, async () => {
    const s = await replication(r);
    return s.role === 'replica' && s.primaryPort === primary.port && s.linkUp;
  });
}

let p: Awaited<ReturnType<typeof member>>;
let r1: Awaited<ReturnType<typeof member>>;
let r2: Awaited<ReturnType<typeof member>>;

beforeAll(async () => {
  [p, r1, r2] = await Promise.all([member('cache-0'), member('cache-1'), member('cache-2')]);
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(agents.map((a) => a.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

describe('redis agent: health and role', () => {
  it('answers /health with PING and the running version, by POST and GET', async () => {
    const post = await p.agent.call('/health', base('redis'));
    expect(post.status).toBe(200);
    expect(post.body).toMatchObject({ ok: true, retryable: false });
    expect(post.body.details?.middlewareVersion).toMatch(/^\d+\.\d+\.\d+$/);
    const get = await p.agent.call('/health', undefined, { method: 'GET' });
    expect(get.status).toBe(200);
  });

  it('reports primary for a fresh server', async () => {
    const res = await p.agent.call('/role', undefined, { method: 'GET' });
    expect(res.body.details).toMatchObject({ role: 'primary', replicas: [] });
  });
});

describe('redis agent: init', () => {
  it('makes a replica follow the primary, and a second call changes nothing', async () => {
    const req = { ...base('redis'), member: r1.ref, primary: p.ref };
    const first = await r1.agent.call('/init', req);
    expect(first.status).toBe(200);
    expect(first.body.details?.changed).toBe(true);
    await waitReplicaOf(r1.redis, p.ref);

    const second = await r1.agent.call('/init', req);
    expect(second.status).toBe(200);
    expect(second.body.details?.changed).toBe(false);
    expect(second.body.message).toContain('already replicates');

    const init2 = await r2.agent.call('/init', { ...base('redis'), member: r2.ref, primary: p.ref });
    expect(init2.status).toBe(200);
    await waitReplicaOf(r2.redis, p.ref);
  });

  it('leaves the primary alone', async () => {
    const res = await p.agent.call('/init', { ...base('redis'), member: p.ref, primary: p.ref });
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({ changed: false, role: 'primary' });
  });

  it('/role of a replica names its primary', async () => {
    const res = await r1.agent.call('/role', base('redis'));
    expect(res.body.details).toMatchObject({
      role: 'replica',
      primary: { host: p.ref.host, port: p.ref.port },
      linkUp: true,
    });
  });

  it('refuses to call a replica the primary (that is a switchover)', async () => {
    const res = await r1.agent.call('/init', { ...base('redis'), member: r1.ref });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('/switchover');
  });
});

describe('redis agent: pre-scale-in', () => {
  it('refuses to remove the primary', async () => {
    const res = await p.agent.call('/pre-scale-in', { ...base('redis'), member: p.ref });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ ok: false, retryable: false, reason: 'IsPrimary' });
    expect(res.body.message).toContain('cache-0');
  });

  it('lets a replica go', async () => {
    const res = await r2.agent.call('/pre-scale-in', { ...base('redis'), member: r2.ref });
    expect(res.status).toBe(200);
  });
});

describe('redis agent: pre-upgrade and post-upgrade', () => {
  let version = '';
  beforeAll(async () => {
    version = parseInfo(await p.redis.info('server')).redis_version!;
    // A replica that attached in an earlier test makes the primary fork a save for its full
    // sync, and is not online until it ends; the pre-upgrade check rightly refuses until then
    // (a 409 seen once in a loaded CI run).
    await pollUntil(
      'no save or AOF rewrite on the primary, every replica online',
      async () => {
        const persistence = parseInfo(await p.redis.info('persistence'));
        return (
          persistence.rdb_bgsave_in_progress === '0' &&
          persistence.aof_rewrite_in_progress !== '1' &&
          persistence.aof_rewrite_scheduled !== '1' &&
          replicasOnline(await replication(p.redis))
        );
      },
      { attempts: 400 },
    );
  });

  it('allows a target on the path', async () => {
    const res = await p.agent.call('/pre-upgrade', {
      ...base('redis'),
      targetMiddlewareVersion: '99.0.0',
      allowedUpgradePath: ['99.0.0'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.details).toMatchObject({ runningVersion: version, rdbSaveInProgress: false });
  });

  it('refuses a target outside the path, naming what is accepted', async () => {
    const res = await p.agent.call('/pre-upgrade', {
      ...base('redis'),
      targetMiddlewareVersion: '99.0.0',
      allowedUpgradePath: ['98.0.0', '98.1.0'],
    });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('NotInUpgradePath');
    expect(res.body.message).toContain('accepted: 98.0.0, 98.1.0');
  });

  it('refuses a downgrade and asks for the target when it is missing', async () => {
    const down = await p.agent.call('/pre-upgrade', {
      ...base('redis'),
      targetMiddlewareVersion: '1.0.0',
      allowedUpgradePath: ['1.0.0'],
    });
    expect(down.status).toBe(409);
    expect(down.body.reason).toBe('Downgrade');
    const missing = await p.agent.call('/pre-upgrade', base('redis'));
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('targetMiddlewareVersion');
  });

  it('refuses while an RDB save runs, and allows once it ends', async () => {
    // Its own server: a slowed save must not disturb the replication tests.
    const solo = await member('solo-0');
    const pipeline = solo.redis.pipeline();
    for (let i = 0; i < 300; i++) pipeline.set(`key:${i}`, 'x'.repeat(100));
    await pipeline.exec();
    // 300 keys x 10 ms per key: the forked save runs about 3 s, long enough to be seen.
    await solo.redis.config('SET', 'rdb-key-save-delay', '10000');
    await solo.redis.bgsave();
    await pollUntil(
      'bgsave in progress',
      async () => parseInfo(await solo.redis.info('persistence')).rdb_bgsave_in_progress === '1',
    );
    const req = { ...base('redis'), targetMiddlewareVersion: '99.0.0', allowedUpgradePath: ['99.0.0'] };
    const during = await solo.agent.call('/pre-upgrade', req);
    expect(during.status).toBe(409);
    expect(during.body).toMatchObject({ ok: false, retryable: false, reason: 'SaveInProgress' });
    expect(during.body.message).toContain('rdb_bgsave_in_progress');

    await solo.redis.config('SET', 'rdb-key-save-delay', '0');
    await pollUntil(
      'bgsave finished',
      async () => parseInfo(await solo.redis.info('persistence')).rdb_bgsave_in_progress === '0',
      { attempts: 400 },
    );
    const after = await solo.agent.call('/pre-upgrade', req);
    expect(after.status).toBe(200);
  });

  it('refuses while an AOF rewrite runs', async () => {
    const solo = await member('solo-1');
    await solo.redis.config('SET', 'appendonly', 'yes');
    await pollUntil('AOF enabled and its first rewrite done', async () => {
      const p = parseInfo(await solo.redis.info('persistence'));
      return p.aof_enabled === '1' && p.aof_rewrite_in_progress === '0' && p.aof_rewrite_scheduled === '0';
    });
    const pipeline = solo.redis.pipeline();
    for (let i = 0; i < 300; i++) pipeline.set(`key:${i}`, 'x'.repeat(100));
    await pipeline.exec();
    // The rewrite writes an RDB preamble, which the same per-key delay slows down.
    await solo.redis.config('SET', 'rdb-key-save-delay', '10000');
    await solo.redis.bgrewriteaof();
    await pollUntil(
      'AOF rewrite in progress',
      async () => parseInfo(await solo.redis.info('persistence')).aof_rewrite_in_progress === '1',
    );
    const res = await solo.agent.call('/pre-upgrade', {
      ...base('redis'),
      targetMiddlewareVersion: '99.0.0',
      allowedUpgradePath: ['99.0.0'],
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      reason: 'SaveInProgress',
      message: 'an AOF rewrite is in progress; upgrade after it ends',
    });
  });

  it('post-upgrade confirms the running version, and refuses another one', async () => {
    const ok = await p.agent.call('/post-upgrade', { ...base('redis'), targetMiddlewareVersion: version });
    expect(ok.status).toBe(200);
    const wrong = await p.agent.call('/post-upgrade', {
      ...base('redis'),
      targetMiddlewareVersion: '99.0.0',
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.reason).toBe('VersionMismatch');
    expect(wrong.body.message).toContain(version);
  });
});

describe('redis agent: reload-config', () => {
  it('applies live settings, reports immutable ones and rejects unknown ones by name', async () => {
    const req = {
      ...base('redis'),
      config: { 'maxmemory-policy': 'allkeys-lru', hz: 20, databases: 32, 'lazyfree-lazy-eviction': true },
      restartKeys: ['io-threads'],
    };
    const res = await p.agent.call('/reload-config', { ...req, config: { ...req.config, 'io-threads': 4 } });
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({
      applied: ['maxmemory-policy', 'hz', 'lazyfree-lazy-eviction'],
      needsRestart: ['databases', 'io-threads'],
      rejected: [],
    });
    expect(await p.redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'allkeys-lru']);
    expect(await p.redis.config('GET', 'lazyfree-lazy-eviction')).toEqual(['lazyfree-lazy-eviction', 'yes']);

    const again = await p.agent.call('/reload-config', req);
    expect(again.body.details).toMatchObject({
      applied: [],
      unchanged: ['maxmemory-policy', 'hz', 'lazyfree-lazy-eviction'],
    });

    const bad = await p.agent.call('/reload-config', {
      ...base('redis'),
      config: { 'no-such-setting': 1, hz: 'fast' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('no-such-setting');
    expect(bad.body.message).toContain('hz="fast"');
  });
});

describe('redis agent: concurrent calls', () => {
  it('runs mutating hooks one at a time and answers all of them', async () => {
    const req = { ...base('redis'), config: { maxmemory: '100mb' } };
    const answers = await Promise.all([
      p.agent.call('/reload-config', req),
      p.agent.call('/reload-config', req),
      p.agent.call('/init', { ...base('redis'), member: p.ref, primary: p.ref }),
      p.agent.call('/health', base('redis')),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // Redis reads "100mb" back as bytes: the first call applied it, the second found it in force.
    const outcomes = answers.slice(0, 2).map((a) => a.body.details);
    expect(outcomes).toEqual([
      { applied: ['maxmemory'], unchanged: [], needsRestart: [], rejected: [] },
      { applied: [], unchanged: ['maxmemory'], needsRestart: [], rejected: [] },
    ]);
    expect(await p.redis.config('GET', 'maxmemory')).toEqual(['maxmemory', String(100 * 1024 * 1024)]);
    await p.redis.config('SET', 'maxmemory', '0');
  });
});

describe('redis agent: switchover and failover', () => {
  it('promotes the chosen replica and repoints the others, without losing a write', async () => {
    await p.redis.set('before-switchover', '1');
    const members = [p.ref, r1.ref, r2.ref];
    const res = await r1.agent.call('/switchover', {
      ...base('redis'),
      member: r1.ref,
      target: r1.ref,
      members,
    });
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({ promoted: true });

    expect((await replication(r1.redis)).role).toBe('primary');
    await waitReplicaOf(p.redis, r1.ref);
    await waitReplicaOf(r2.redis, r1.ref);
    expect(await r1.redis.get('before-switchover')).toBe('1');

    // The old primary really follows: a write on the new primary arrives there.
    await r1.redis.set('after-switchover', '2');
    await pollUntil(
      'write replicated to old primary',
      async () => (await p.redis.get('after-switchover')) === '2',
    );

    const again = await r1.agent.call('/switchover', { ...base('redis'), target: r1.ref, members });
    expect(again.status).toBe(200);
    expect(again.body.details).toMatchObject({ promoted: false, repointed: [] });
  });

  it('fails over to a replica when the primary is gone, reporting what it could not reach', async () => {
    const oldPrimary = servers.find((s) => s.port === r1.ref.port)!;
    await oldPrimary.stop();
    const members = [p.ref, r1.ref, r2.ref];
    const res = await p.agent.call('/failover', { ...base('redis'), target: p.ref, members });
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({ promoted: true });
    expect(res.body.details?.unreachable).toHaveLength(1);
    expect((await replication(p.redis)).role).toBe('primary');
    await waitReplicaOf(r2.redis, p.ref);
  });

  it('refuses a switchover to a replica that cannot catch up, and resumes writes on the primary', async () => {
    const lagging = await member('lagging-0');
    // A wrong masterauth keeps the replication link down for good: the replica never catches up.
    await lagging.redis.config('SET', 'masterauth', 'not-the-password');
    await lagging.redis.call('REPLICAOF', p.ref.host, String(p.ref.port));
    const res = await lagging.agent.call(
      '/switchover',
      { ...base('redis'), target: lagging.ref, members: [p.ref, lagging.ref, r2.ref] },
      { headers: { 'x-mwop-timeout-seconds': '3' } },
    );
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('ReplicaBehind');
    expect(res.body.message).toContain('link down');
    expect((await replication(p.redis)).role).toBe('primary');
    expect((await replication(lagging.redis)).role).toBe('replica');
    // Liveness only: Redis 7.0 does not report a pause, and a forgotten one would expire within 0.5 s anyway.
    const probe = new Redis({
      port: p.ref.port,
      password: PASSWORD,
      commandTimeout: 1000,
      lazyConnect: true,
    });
    probe.on('error', () => {});
    clients.push(probe);
    expect(await probe.set('after-refused-switchover', '1')).toBe('OK');
  });

  it('a switchover that cannot reach a member answers 503, retryable', async () => {
    const gone = r1.ref;
    const res = await p.agent.call('/switchover', { ...base('redis'), target: gone, members: [p.ref, gone] });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ ok: false, retryable: true, reason: 'MiddlewareUnreachable' });
    expect(res.body.message).toContain(String(gone.port));
  });
});

describe('redis agent: errors have the contract shape', () => {
  it('answers 503 quickly when redis is not there', async () => {
    const stopped = await startRedisServer();
    const port = stopped.port;
    await stopped.stop();
    const agent = await startAgent(createRedisDriver({ host: '127.0.0.1', port, credentials: creds }));
    agents.push(agent);
    const res = await agent.call('/health', base('redis'));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ ok: false, retryable: true, reason: 'MiddlewareUnreachable' });
    expect(res.body.message).toContain(`127.0.0.1:${port}`);
    expect(res.body.message).toContain('ECONNREFUSED');
  });

  it('answers 504 within the deadline when redis accepts but never answers', async () => {
    const silent = await startSilentServer();
    const agent = await startAgent(
      createRedisDriver({ host: '127.0.0.1', port: silent.port, credentials: creds }),
    );
    agents.push(agent);
    const res = await agent.call('/health', base('redis'), { headers: { 'x-mwop-timeout-seconds': '2' } });
    await silent.close();
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ ok: false, retryable: true, reason: 'Timeout' });
  });

  it('rejects bad requests with 400, unknown paths with 404 and wrong methods with 405', async () => {
    const notJson = await p.agent.call('/init', undefined, { raw: '{nope' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.message).toContain('not JSON');
    const wrongType = await p.agent.call('/init', { ...base('mysql') });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toBe('type: got "mysql", this agent serves "redis"');
    const badPort = await p.agent.call('/init', { ...base('redis'), primary: { host: 'x', port: 0 } });
    expect(badPort.body.message).toBe('primary.port: got 0, want an integer from 1 to 65535');
    const unknown = await p.agent.call('/nope', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.reason).toBe('NotFound');
    const get = await p.agent.call('/init', undefined, { method: 'GET' });
    expect(get.status).toBe(405);
  });
});
