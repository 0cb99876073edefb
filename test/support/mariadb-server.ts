// A real MariaDB server on a free loopback port and a unix socket in a temp dir, for services tests.
//   const db = await startMariadbServer();  ...  await db.stop();
// root@localhost has no password and normal authentication: connect through `db.socket` as root.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

const run = promisify(execFile);

export interface MariadbServerOptions {
  /** Write a binary log (needed by a replication primary and by point-in-time recovery). */
  binlog?: boolean;
  /** server_id; every member of a replication topology needs its own. Default 1. */
  serverId?: number;
  /** Extra mariadbd arguments, for example ['--max-connections=50']. */
  args?: string[];
}

export interface MariadbServer {
  host: string;
  port: number;
  socket: string;
  dir: string;
  logFile: string;
  /** Runs SQL as root through the socket with the mariadb client; returns tab-separated rows. */
  sql(statement: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startMariadbServer(options: MariadbServerOptions = {}): Promise<MariadbServer> {
  const installDb = requireBinary('mariadb-install-db');
  const mariadbd = requireBinary('mariadbd');
  const client = requireBinary('mariadb');
  const dir = await makeTempDir('mariadb');
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const logFile = join(dir, 'error.log');
  // Its own tmpdir: bootstraps that share /tmp collide on internal temp table names.
  const tmp = join(dir, 'tmp');
  await mkdir(tmp);
  const port = await freePort();
  const runAs = process.getuid?.() === 0 ? ['--user=root'] : [];
  try {
    await run(
      installDb,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        '--auth-root-authentication-method=normal',
        `--tmpdir=${tmp}`,
        '--skip-test-db',
        ...runAs,
      ],
      { timeout: 120_000 },
    );
  } catch (err) {
    await removeDir(dir);
    throw new Error(`mariadb-install-db failed: ${(err as Error).message}`);
  }
  const daemon: Daemon = startDaemon(
    mariadbd,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--tmpdir=${tmp}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-name-resolve',
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${logFile}`,
      '--innodb-buffer-pool-size=32M',
      `--server-id=${options.serverId ?? 1}`,
      ...(options.binlog ? [`--log-bin=${join(dir, 'binlog')}`, '--binlog-format=ROW'] : ['--skip-log-bin']),
      ...runAs,
      ...(options.args ?? []),
    ],
    logFile,
    30_000,
  );
  const sql = async (statement: string) =>
    (
      await run(client, ['--no-defaults', `--socket=${socket}`, '-uroot', '-N', '-B', '-e', statement], {
        timeout: 30_000,
      })
    ).stdout;
  try {
    await Promise.race([
      pollUntil(
        `mariadbd on port ${port} answers SELECT 1`,
        async () => (await sql('SELECT 1')).trim() === '1',
        {
          attempts: 600,
          intervalMs: 100,
          diagnostics: () => tail(logFile),
        },
      ),
      daemon.exited.then(() => {
        throw new Error('mariadbd exited');
      }),
    ]);
  } catch (err) {
    await daemon.stop();
    await removeDir(dir);
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    socket,
    dir,
    logFile,
    sql,
    async stop() {
      await daemon.stop();
      await removeDir(dir);
    },
  };
}

/**
 * Makes `replica` replicate from `primary` (which must run with binlog) over loopback TCP, with a
 * replication user created on the primary, and waits until both replication threads run.
 */
export async function startReplication(primary: MariadbServer, replica: MariadbServer): Promise<void> {
  const user = 'mwop_repl';
  const password = 'mwop-repl-password';
  await primary.sql(
    `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${password}'; GRANT REPLICATION SLAVE ON *.* TO '${user}'@'%'`,
  );
  await replica.sql(
    `CHANGE MASTER TO MASTER_HOST='${primary.host}', MASTER_PORT=${primary.port}, MASTER_USER='${user}', MASTER_PASSWORD='${password}', MASTER_USE_GTID=slave_pos; START SLAVE`,
  );
  await pollUntil(
    `replica on port ${replica.port} replicating from port ${primary.port}`,
    // Slave_running is ON while both the IO and the SQL thread run.
    async () => (await replica.sql("SHOW GLOBAL STATUS LIKE 'Slave_running'")).includes('ON'),
    { attempts: 300, intervalMs: 100, diagnostics: () => replica.sql('SHOW SLAVE STATUS\\G') },
  );
}
