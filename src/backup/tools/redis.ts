// Redis backup tool.
// Backup: `redis-cli --rdb -` asks the server for a full RDB snapshot (the replication SYNC path,
// no fork of a second process in the pod) and writes it to stdout, which streams to S3.
// Restore: Redis only loads data at start-up, and `DEBUG RELOAD` is disabled in production
// builds, so the restore is offline: the workflow stops the server (scales the StatefulSet to 0
// for an in-place restore, or runs this as the init step of a new instance), then this tool
// verifies the artifact, checks it with redis-check-rdb, moves any AOF aside (Redis prefers the
// AOF over dump.rdb at start-up) and atomically renames the RDB into the data directory.
// The server then starts on exactly the backed-up data.
import { rename, stat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { ToolDriver } from './driver.ts';
import { run, startProducer } from './process.ts';

export interface RedisSource {
  host: string;
  port: number;
  username?: string;
  password?: string;
  tls?: boolean;
  /** Defaults to redis-cli on PATH. */
  redisCli?: string;
}

export interface RedisTarget {
  /** The (stopped) server's data directory, the `dir` of redis.conf. */
  dataDir: string;
  /** The `dbfilename` of redis.conf. */
  rdbFileName?: string;
  /** The `appenddirname` of redis.conf. */
  aofDirName?: string;
  /** Defaults to redis-check-rdb on PATH. */
  redisCheckRdb?: string;
  /** Suffix for the moved-aside AOF directory; defaults to the current time. */
  now?: () => Date;
  /**
   * The instance's address. If anything accepts connections there the restore refuses: a
   * running Redis would overwrite the restored dump.rdb at its next save or shutdown.
   */
  mustNotServe?: { host: string; port: number };
}

/** Resolves true if something accepts a TCP connection at host:port. */
function accepting(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (v: boolean) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(5000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function refuseIfServing(target: RedisTarget): Promise<void> {
  const a = target.mustNotServe;
  if (a && (await accepting(a.host, a.port))) {
    throw new Error(
      `refusing to restore into ${target.dataDir}: a server accepts connections at ${a.host}:${a.port}; ` +
        'stop Redis first (scale the StatefulSet to 0), or it would overwrite the restored dump.rdb',
    );
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export const redisDriver: ToolDriver<RedisSource, RedisTarget> = {
  type: 'redis',
  format: 'redis-rdb',
  dataFile: 'dump.rdb',
  contentType: 'application/octet-stream',

  async dump(src) {
    const args = ['-h', src.host, '-p', String(src.port), '--no-auth-warning'];
    if (src.username) args.push('--user', src.username);
    if (src.tls) args.push('--tls');
    args.push('--rdb', '-');
    const env: Record<string, string> = src.password ? { REDISCLI_AUTH: src.password } : {};
    const p = startProducer({ cmd: src.redisCli ?? 'redis-cli', args, env });
    return { ...p, cleanup: async () => undefined };
  },

  async restore(target, fetch) {
    const rdb = join(target.dataDir, target.rdbFileName ?? 'dump.rdb');
    const staged = join(target.dataDir, `.${target.rdbFileName ?? 'dump.rdb'}.restoring`);
    await refuseIfServing(target);
    await fetch(staged); // throws on a mismatch; nothing in dataDir has changed
    try {
      await run({ cmd: target.redisCheckRdb ?? 'redis-check-rdb', args: [staged] });
    } catch (err) {
      await unlink(staged).catch(() => undefined);
      throw new Error(`the verified artifact is not a valid RDB file: ${(err as Error).message}`);
    }
    try {
      await refuseIfServing(target); // again: it may have been started while we downloaded
    } catch (err) {
      await unlink(staged).catch(() => undefined);
      throw err;
    }
    const aof = join(target.dataDir, target.aofDirName ?? 'appendonlydir');
    if (await exists(aof)) {
      const stamp = (target.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
      await rename(aof, `${aof}.before-restore-${stamp}`);
    }
    await rename(staged, rdb);
  },
};
