// The conformance kit against both reference agents (started as in the pod, from env through
// src/agent/main.ts) and against a deliberately broken agent.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatResults, runConformance, summarize } from '../../../src/agent/conformance/runner.ts';
import { DEFAULT_HOOKS_BY_TYPE } from '../../../src/agent/contract.ts';
import { startAgentFromEnv } from '../../../src/agent/main.ts';
import { type MariadbServer, startMariadbServer } from '../../support/mariadb-server.ts';
import { freePort, pollUntil } from '../../support/process.ts';
import { type RedisServer, startRedisServer } from '../../support/redis-server.ts';

const run = promisify(execFile);
const PASSWORD = 'conformance-secret';
const servers: { stop(): Promise<void> }[] = [];
const httpServers: Server[] = [];

async function agentFromEnv(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const server = await startAgentFromEnv({
    ...env,
    MWOP_AGENT_PORT: String(port),
    MWOP_AGENT_HOST: '127.0.0.1',
    MWOP_CREDENTIALS_DIR: '/nonexistent-mwop-credentials',
  });
  httpServers.push(server);
  return `http://127.0.0.1:${port}`;
}

let primary: RedisServer;
let replica: RedisServer;
let mariadb: MariadbServer;
let primaryUrl: string;
let replicaUrl: string;
let mysqlUrl: string;
let brokenUrl: string;

beforeAll(async () => {
  [primary, replica, mariadb] = await Promise.all([
    startRedisServer({ password: PASSWORD }),
    startRedisServer({ password: PASSWORD }),
    startMariadbServer(),
  ]);
  servers.push(primary, replica, mariadb);
  const redisEnv = (s: RedisServer) => ({
    MWOP_AGENT_TYPE: 'redis',
    MWOP_MIDDLEWARE_PORT: String(s.port),
    MWOP_PASSWORD: PASSWORD,
  });
  primaryUrl = await agentFromEnv(redisEnv(primary));
  replicaUrl = await agentFromEnv(redisEnv(replica));
  mysqlUrl = await agentFromEnv({
    MWOP_AGENT_TYPE: 'mysql',
    MWOP_MIDDLEWARE_SOCKET: mariadb.socket,
    MWOP_USERNAME: 'app',
    MWOP_PASSWORD: 'app-password',
    MWOP_DATABASE: 'appdb',
  });
  // Make the second redis a replica, as the operator would, so both roles are exercised.
  const r = new Redis({ port: replica.port, password: PASSWORD, lazyConnect: true });
  await r.connect();
  await r.call('REPLICAOF', '127.0.0.1', String(primary.port));
  await pollUntil('replica link up', async () =>
    (await r.info('replication')).includes('master_link_status:up'),
  );
  r.disconnect();

  // A broken agent: 200 and a body in its own shape for every path, as text/plain.
  const broken = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(JSON.stringify({ status: 'ok', role: 'master' }));
  });
  await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
  httpServers.push(broken);
  brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
  // MariaDB's install-db and start are slow on a loaded machine; still bounded.
}, 300_000);

afterAll(async () => {
  for (const s of httpServers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await Promise.all(servers.map((s) => s.stop()));
});

describe('conformance kit against the reference agents', () => {
  it('passes every redis check on the primary', async () => {
    const results = await runConformance({
      url: primaryUrl,
      type: 'redis',
      hooks: DEFAULT_HOOKS_BY_TYPE.redis!,
      member: { host: '127.0.0.1', port: primary.port },
    });
    expect(summarize(results), formatResults(results)).toEqual({ pass: results.length, fail: 0, skip: 0 });
    expect(results.length).toBeGreaterThan(20);
  });

  it('passes every redis check on a replica', async () => {
    const results = await runConformance({
      url: replicaUrl,
      type: 'redis',
      hooks: DEFAULT_HOOKS_BY_TYPE.redis!,
      member: { host: '127.0.0.1', port: replica.port },
    });
    expect(summarize(results), formatResults(results)).toEqual({ pass: results.length, fail: 0, skip: 0 });
    // Conformance does not change the topology: the replica still follows the primary.
    const r = new Redis({ port: replica.port, password: PASSWORD, lazyConnect: true });
    await r.connect();
    expect(await r.info('replication')).toContain(`master_port:${primary.port}`);
    r.disconnect();
  });

  it('passes every mysql check', async () => {
    const results = await runConformance({
      url: mysqlUrl,
      type: 'mysql',
      hooks: DEFAULT_HOOKS_BY_TYPE.mysql!,
      member: { host: '127.0.0.1', port: mariadb.port },
    });
    expect(summarize(results), formatResults(results)).toEqual({ pass: results.length, fail: 0, skip: 0 });
  });

  it('passes for a type with its own name that reuses the redis driver', async () => {
    const url = await agentFromEnv({
      MWOP_AGENT_TYPE: 'valkey',
      MWOP_AGENT_DRIVER: 'redis',
      MWOP_MIDDLEWARE_PORT: String(primary.port),
      MWOP_PASSWORD: PASSWORD,
    });
    const results = await runConformance({
      url,
      type: 'valkey',
      hooks: DEFAULT_HOOKS_BY_TYPE.redis!,
      member: { host: '127.0.0.1', port: primary.port },
    });
    expect(summarize(results), formatResults(results)).toEqual({ pass: results.length, fail: 0, skip: 0 });
  });

  it('the CLI prints a table and exits 0 on a conforming agent', async () => {
    const { stdout } = await run('bin/kubectl-mw', [
      'plugin',
      'conformance',
      '--url',
      mysqlUrl,
      '--type',
      'mysql',
      '--hooks',
      'health,role,init,reloadConfig',
    ]);
    expect(stdout).toMatch(/^PASS +\/init +init-twice/m);
    expect(stdout).toMatch(/\d+ passed, 0 failed, 0 skipped/);
  });
});

describe('conformance kit with the published type files', () => {
  // The hooks, paths and timeouts the plugins declare must be ones the reference agents serve.
  for (const type of ['redis', 'mysql'] as const) {
    it(`plugins/${type}/middlewaretype.yaml: every declared hook passes`, async () => {
      const url = type === 'redis' ? primaryUrl : mysqlUrl;
      const port = type === 'redis' ? primary.port : mariadb.port;
      const { stdout } = await run('bin/kubectl-mw', [
        'plugin',
        'conformance',
        '--url',
        url,
        '--type',
        type,
        '--type-file',
        `plugins/${type}/middlewaretype.yaml`,
        '--member',
        `127.0.0.1:${port}`,
      ]);
      expect(stdout).toContain(`hooks from plugins/${type}/middlewaretype.yaml`);
      expect(stdout).toMatch(/\d+ passed, 0 failed, 0 skipped/);
    });
  }
});

describe('conformance kit against a broken agent', () => {
  it('fails, and says what is wrong in each answer', async () => {
    const results = await runConformance({
      url: brokenUrl,
      type: 'redis',
      hooks: ['health', 'role', 'preUpgrade'],
    });
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    // Nothing passes; checks that need a fact the broken agent never gave (its version) are skipped.
    expect(results.filter((r) => r.outcome === 'pass').map((r) => r.id)).toEqual([]);
    expect(byId['preUpgrade-same-version']!.outcome).toBe('skip');
    const health = byId.health!.problems;
    expect(health).toContain('content-type: got "text/plain", want application/json');
    expect(health).toContain('body.ok: got undefined, want a boolean');
    expect(health).toContain('body.message: got undefined, want a non-empty string');
    expect(health).toContain('details.middlewareVersion: got undefined, want the running version');
    expect(byId['unknown-path']!.problems).toContain('unknown path: got status 200 (), want 404');
    expect(byId['preUpgrade-off-path']!.problems).toContain(
      'pre-upgrade off the path: got status 200 (), want 409',
    );
  });

  it('the CLI exits 1 and prints the failures', async () => {
    const err = await run('bin/kubectl-mw', [
      'plugin',
      'conformance',
      '--url',
      brokenUrl,
      '--type',
      'redis',
      '--hooks',
      'health',
    ]).catch((e: { code: number; stdout: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    const out = (err as { stdout: string }).stdout;
    expect(out).toMatch(/^FAIL +\/health +health /m);
    expect(out).toContain('- body.retryable: got undefined, want a boolean');
    expect(out).toMatch(/0 passed, \d+ failed/);
  });
});
