// A real redis-server on a free loopback port in a temp dir, for services tests.
//   const redis = await startRedisServer();  ...  await redis.stop();
import { createConnection } from 'node:net';
import { join } from 'node:path';
import {
  type Daemon,
  freePort,
  makeTempDir,
  pollUntil,
  removeDir,
  requireBinary,
  startDaemon,
  tail,
} from './process.ts';

export interface RedisServerOptions {
  /** requirepass and masterauth. */
  password?: string;
  /** Extra `--name value` arguments, for example ['--appendonly', 'yes']. */
  args?: string[];
  /**
   * The data directory (dump.rdb), kept on stop; by default a temp dir, removed on stop. The log
   * goes to a temp dir either way.
   */
  dir?: string;
  /** The port; by default a free one. */
  port?: number;
}

export interface RedisServer {
  host: string;
  port: number;
  dir: string;
  logFile: string;
  /** Sends one command over a raw connection and returns the reply text (RESP, unparsed beyond the first line). */
  command(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Minimal RESP request: enough for PING and readiness, not a client. Tests use ioredis for real work. */
function rawCommand(port: number, password: string | undefined, args: string[]): Promise<string> {
  const encode = (a: string[]) =>
    `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const expected = password ? 2 : 1;
    sock.setTimeout(2000, () => sock.destroy(new Error('raw redis command timed out')));
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf += d;
      const lines = buf.split('\r\n').filter((l) => /^[+\-:$*]/.test(l));
      if (lines.length >= expected) {
        sock.end();
        resolve(lines[expected - 1]!);
      }
    });
    sock.on('connect', () => {
      if (password) sock.write(encode(['AUTH', password]));
      sock.write(encode(args));
    });
  });
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = requireBinary('redis-server');
  const ownDir = await makeTempDir('redis');
  const dir = options.dir ?? ownDir;
  const port = options.port ?? (await freePort());
  const logFile = join(ownDir, 'redis.log');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--logfile',
    logFile,
    // Replicas sync at once instead of Redis's default 5 s wait for more replicas to join.
    '--repl-diskless-sync-delay',
    '0',
    ...(options.password ? ['--requirepass', options.password, '--masterauth', options.password] : []),
    ...(options.args ?? []),
  ];
  const daemon: Daemon = startDaemon(binary, args, logFile);
  const command = (...a: string[]) => rawCommand(port, options.password, a);
  try {
    await Promise.race([
      pollUntil(
        `redis-server on port ${port} answers PING`,
        async () => (await command('PING')) === '+PONG',
        {
          diagnostics: () => tail(logFile),
        },
      ),
      daemon.exited.then(() => {
        throw new Error('redis-server exited');
      }),
    ]);
  } catch (err) {
    await daemon.stop();
    await removeDir(ownDir);
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    dir,
    logFile,
    command,
    async stop() {
      await daemon.stop();
      await removeDir(ownDir);
    },
  };
}
