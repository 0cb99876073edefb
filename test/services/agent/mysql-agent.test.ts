// The MySQL/MariaDB reference agent against a real MariaDB server from Debian's packages.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDriver } from '../../../src/agent/mysql/driver.ts';
import { type MariadbServer, startMariadbServer } from '../../support/mariadb-server.ts';
import { pollUntil } from '../../support/process.ts';
import { base, type RunningAgent, startAgent } from './harness.ts';

let db: MariadbServer;
let agent: RunningAgent;
let credDir: string;
const extra: RunningAgent[] = [];
const req = base('mysql');

const writeCreds = async (c: Record<string, string>) => {
  for (const [k, v] of Object.entries(c)) await writeFile(join(credDir, k), `${v}\n`);
};

const login = (password: string) =>
  mysql.createConnection({
    host: db.host,
    port: db.port,
    user: 'shop',
    password,
    database: 'shopdb',
    connectTimeout: 5000,
  });

beforeAll(async () => {
  db = await startMariadbServer();
  credDir = await mkdtemp(join(tmpdir(), 'mwop-creds-'));
  // The Secret as Kubernetes mounts it: one file per key. The admin is root over the socket.
  await writeCreds({ username: 'shop', password: 'first-password', database: 'shopdb' });
  agent = await startAgent(
    createMysqlDriver({
      host: db.host,
      port: db.port,
      socket: db.socket,
      credentials: { dir: credDir, env: {} },
    }),
  );
  // MariaDB's install-db and start are slow on a loaded machine; still bounded.
}, 300_000);

afterAll(async () => {
  await agent?.close();
  await Promise.all(extra.map((a) => a.close()));
  await db?.stop();
  if (credDir) await rm(credDir, { recursive: true, force: true });
});

describe('mysql agent: health and role', () => {
  it('answers /health with the running MariaDB version', async () => {
    const res = await agent.call('/health', req);
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({ flavor: 'mariadb' });
    expect(res.body.details?.middlewareVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('reports a standalone server as primary, writable', async () => {
    const res = await agent.call('/role', undefined, { method: 'GET' });
    expect(res.body.details).toMatchObject({ role: 'primary', readOnly: false });
  });
});

describe('mysql agent: init', () => {
  it('creates the database and the user from the Secret, and the user can log in and write', async () => {
    const res = await agent.call('/init', req);
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({ changed: true, createdDatabase: true, createdUser: true });

    const conn = await login('first-password');
    await conn.query('CREATE TABLE orders (id INT PRIMARY KEY) ENGINE=InnoDB');
    await conn.query('INSERT INTO orders VALUES (1)');
    const [rows] = await conn.query('SELECT CURRENT_USER() AS u');
    expect((rows as { u: string }[])[0]!.u).toBe('shop@%');
    await conn.end();
  });

  it('is safe to call twice', async () => {
    const res = await agent.call('/init', req);
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({ changed: false, createdDatabase: false, createdUser: false });
    expect((await db.sql("SELECT COUNT(*) FROM mysql.user WHERE User='shop'")).trim()).toBe('1');
    expect((await db.sql('SELECT COUNT(*) FROM shopdb.orders')).trim()).toBe('1');
  });

  it('follows a rotated password in the Secret', async () => {
    await writeCreds({ password: 'second-password' });
    expect((await agent.call('/init', req)).status).toBe(200);
    await expect(login('first-password')).rejects.toThrow(/Access denied/);
    const conn = await login('second-password');
    await conn.end();
  });

  it('refuses when the Secret names an application user without a password, naming where it is read from', async () => {
    const partial = await mkdtemp(join(tmpdir(), 'mwop-creds-partial-'));
    await writeFile(join(partial, 'username'), 'shop');
    const bare = await startAgent(
      createMysqlDriver({
        host: db.host,
        port: db.port,
        socket: db.socket,
        credentials: { dir: partial, env: {} },
      }),
    );
    extra.push(bare);
    const res = await bare.call('/init', req);
    await rm(partial, { recursive: true, force: true });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ reason: 'CredentialsMissing', retryable: false });
    expect(res.body.message).toBe(
      'credentials Secret: password: missing; set MWOP_PASSWORD or the file password in MWOP_CREDENTIALS_DIR',
    );
  });
});

describe('mysql agent as the operator deploys it', () => {
  it('acts as root over TCP with the generated Secret (username root, password), and init creates nothing but the named database', async () => {
    // The mysql type's Secret: username root (connection.username) and the generated root password.
    await db.sql("ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY 'generated-root-password'");
    const env = { MWOP_USERNAME: 'root', MWOP_PASSWORD: 'generated-root-password' };
    const deployed = await startAgent(
      createMysqlDriver({ host: '127.0.0.1', port: db.port, credentials: { dir: undefined, env } }),
    );
    extra.push(deployed);
    expect((await deployed.call('/health', req)).status).toBe(200);
    const init = await deployed.call('/init', req);
    expect(init.status).toBe(200);
    expect(init.body.message).toBe(
      'the credentials name the admin account root and no database: nothing to create',
    );

    const withDb = await startAgent(
      createMysqlDriver({
        host: '127.0.0.1',
        port: db.port,
        credentials: { dir: undefined, env: { ...env, MWOP_DATABASE: 'reports' } },
      }),
    );
    extra.push(withDb);
    expect((await withDb.call('/init', req)).body.details).toMatchObject({
      createdDatabase: true,
      createdUser: false,
    });
    expect((await withDb.call('/init', req)).body.details).toMatchObject({ changed: false });
    expect((await db.sql("SHOW DATABASES LIKE 'reports'")).trim()).toBe('reports');

    const wrong = await startAgent(
      createMysqlDriver({
        host: '127.0.0.1',
        port: db.port,
        credentials: { dir: undefined, env: { ...env, MWOP_PASSWORD: 'stale' } },
      }),
    );
    extra.push(wrong);
    const denied = await wrong.call('/health', req);
    expect(denied.status).toBe(500);
    expect(denied.body.message).toContain('Access denied');
  });
});

describe('mysql agent: pre-upgrade, post-upgrade, pre-scale-in', () => {
  const upgrade = { ...req, targetMiddlewareVersion: '99.1.0', allowedUpgradePath: ['99.1.0'] };

  it('allows a target on the path and refuses one outside it', async () => {
    expect((await agent.call('/pre-upgrade', upgrade)).status).toBe(200);
    const res = await agent.call('/pre-upgrade', { ...upgrade, allowedUpgradePath: ['11.4.0'] });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('NotInUpgradePath');
    expect(res.body.message).toContain('accepted: 11.4.0');
  });

  it('refuses while a long transaction runs, and allows once it ends', { timeout: 240_000 }, async () => {
    const conn = await login('second-password');
    await conn.query('START TRANSACTION');
    await conn.query('INSERT INTO orders VALUES (2)');
    const strict = { ...upgrade, limits: { maxTransactionSeconds: 0 } };
    // The transaction must be at least one second old to be older than 0 s.
    let refusedBody: Awaited<ReturnType<RunningAgent['call']>>['body'] | undefined;
    let lastAnswer = '';
    // Bounded by attempts; on a loaded machine a call can take seconds, so allow many.
    await pollUntil(
      'pre-upgrade refuses the open transaction',
      async () => {
        const res = await agent.call('/pre-upgrade', strict);
        lastAnswer = `${res.status} ${JSON.stringify(res.body)}`;
        if (res.status === 409) refusedBody = res.body;
        return res.status === 409;
      },
      { attempts: 600, intervalMs: 100, diagnostics: async () => `last answer: ${lastAnswer}` },
    );
    expect(refusedBody).toMatchObject({ ok: false, retryable: false, reason: 'LongTransaction' });
    expect(refusedBody?.message).toMatch(/older than limits\.maxTransactionSeconds 0s/);
    await conn.query('ROLLBACK');
    await conn.end();
    // information_schema.innodb_trx is a cache refreshed at most every 0.1 s: poll, do not expect at once.
    await pollUntil(
      'pre-upgrade allows once the transaction ended',
      async () => {
        const res = await agent.call('/pre-upgrade', strict);
        lastAnswer = `${res.status} ${JSON.stringify(res.body)}`;
        return res.status === 200;
      },
      { attempts: 600, intervalMs: 100, diagnostics: async () => `last answer: ${lastAnswer}` },
    );
  });

  it('post-upgrade refuses a version the server does not run', async () => {
    const running = (await agent.call('/health', req)).body.details?.middlewareVersion as string;
    expect((await agent.call('/post-upgrade', { ...req, targetMiddlewareVersion: running })).status).toBe(
      200,
    );
    const res = await agent.call('/post-upgrade', { ...req, targetMiddlewareVersion: '99.1.0' });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('VersionMismatch');
  });

  it('refuses to scale in the primary', async () => {
    const res = await agent.call('/pre-scale-in', req);
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('IsPrimary');
  });
});

describe('mysql agent: reload-config', () => {
  it('sets dynamic variables, reports read-only ones and rejects bad values by name', async () => {
    const res = await agent.call('/reload-config', {
      ...req,
      config: {
        max_connections: 77,
        'max-allowed-packet': '32M',
        slow_query_log: true,
        datadir: '/elsewhere',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({
      applied: ['max_connections', 'max-allowed-packet', 'slow_query_log'],
      needsRestart: ['datadir'],
    });
    expect((await db.sql('SELECT @@GLOBAL.max_connections, @@GLOBAL.max_allowed_packet')).trim()).toBe(
      '77\t33554432',
    );

    const again = await agent.call('/reload-config', { ...req, config: { max_connections: 77 } });
    expect(again.body.details).toMatchObject({ unchanged: ['max_connections'] });

    const bad = await agent.call('/reload-config', {
      ...req,
      config: { no_such_variable: 1, max_connections: 'lots' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('no_such_variable=');
    expect(bad.body.message).toContain('max_connections="lots"');
  });
});

describe('mysql agent: errors', () => {
  it('answers 503 when the server is not there', async () => {
    const gone = await startAgent(
      createMysqlDriver({
        host: '127.0.0.1',
        port: 1,
        socket: join(credDir, 'no.sock'),
        credentials: { dir: credDir, env: {} },
      }),
    );
    extra.push(gone);
    const res = await gone.call('/health', req);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ ok: false, retryable: true, reason: 'MiddlewareUnreachable' });
    expect(res.body.message).toContain('no.sock');
  });
});
