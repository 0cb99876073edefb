// A real redis-server in a temporary directory on a free loopback port. (A generic helper for
// the backup tests; the hook-agent tests have their own in test/support/.)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../../support/s3-server.ts';

export interface LocalRedis {
  port: number;
  dataDir: string;
  password: string;
  client(): Redis;
  /** Stops the server without saving (its dump.rdb stays as it was). */
  stop(): Promise<void>;
  /** Removes the data directory too. */
  destroy(): Promise<void>;
}

async function waitReady(port: number, password: string, child: ChildProcess, log: string): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`redis-server exited with ${child.exitCode}:\n${readFileSync(log, 'utf8')}`);
    const c = new Redis({
      port,
      host: '127.0.0.1',
      password,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    c.on('error', () => undefined);
    try {
      await c.connect();
      const loading = (await c.info('persistence')).includes('loading:1');
      c.disconnect();
      if (!loading) return;
    } catch {
      c.disconnect();
    }
    if (Date.now() - start > 30_000)
      throw new Error(`redis-server on ${port} not ready in 30 s:\n${readFileSync(log, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts redis-server on `dataDir` (a new temp dir if not given), loading its dump.rdb if any. */
export async function startLocalRedis(
  opts: { dataDir?: string; password?: string } = {},
): Promise<LocalRedis> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'mwop-redis-'));
  const password = opts.password ?? 'redis-test-pw';
  const port = await freePort();
  const log = join(dataDir, '..', `${join(dataDir).split('/').pop()}.redis.log`);
  const fd = openSync(log, 'a');
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dataDir,
      '--dbfilename',
      'dump.rdb',
      '--save',
      '',
      '--appendonly',
      'no',
      '--requirepass',
      password,
      '--daemonize',
      'no',
      // redis-cli --rdb uses the replication SYNC path; without this Redis waits 5 s for more replicas.
      '--repl-diskless-sync-delay',
      '0',
    ],
    { stdio: ['ignore', fd, fd] },
  );
  child.once('error', () => undefined);
  await waitReady(port, password, child, log);
  const clients: Redis[] = [];
  const stop = async () => {
    for (const c of clients) c.disconnect();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM'); // with --save "" Redis does not write dump.rdb on shutdown
      await exited;
    }
  };
  return {
    port,
    dataDir,
    password,
    client() {
      const c = new Redis({ port, host: '127.0.0.1', password, maxRetriesPerRequest: 1 });
      clients.push(c);
      return c;
    },
    stop,
    async destroy() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(log, { force: true });
    },
  };
}
