// A real MariaDB server in a temporary directory on a free loopback port. (A generic helper for
// the backup tests; the hook-agent tests have their own in test/support/.)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Connection, createConnection } from 'mysql2/promise';
import { freePort } from '../../../support/s3-server.ts';

export interface LocalMariadb {
  port: number;
  dir: string;
  /** A TCP user with every privilege, as the backup tool would use. */
  user: string;
  password: string;
  connect(database?: string): Promise<Connection>;
  stop(): Promise<void>;
}

async function waitReady(port: number, child: ChildProcess, log: string): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`mariadbd exited with ${child.exitCode}:\n${readFileSync(log, 'utf8')}`);
    try {
      execFileSync(
        'mariadb-admin',
        ['--no-defaults', '--protocol=TCP', '-h127.0.0.1', `-P${port}`, '-uroot', 'ping'],
        { stdio: 'ignore' },
      );
      return;
    } catch {
      // not up yet
    }
    if (Date.now() - start > 60_000)
      throw new Error(`mariadbd on ${port} not ready in 60 s:\n${readFileSync(log, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startLocalMariadb(): Promise<LocalMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'mwop-mariadb-'));
  const datadir = join(dir, 'data');
  const log = join(dir, 'mariadbd.log');
  const tmpDir = join(dir, 'tmp');
  mkdirSync(tmpDir);
  // root@localhost without a password only during bootstrap, so the test can create its user.
  // TMPDIR keeps the bootstrap's temporary files out of the shared /tmp as well.
  try {
    execFileSync(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        '--user=root',
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmpDir } },
    );
  } catch (err) {
    const e = err as { status?: number; stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `mariadb-install-db --datadir=${datadir} exited with ${e.status}:\n${e.stdout?.toString().slice(-2000)}\n${e.stderr?.toString().slice(-2000)}`,
    );
  }
  const port = await freePort();
  const fd = openSync(log, 'a');
  const child = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${join(dir, 'mysqld.sock')}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      // Its own temp dir: the shared /tmp is cleaned by other tests on this machine, and a
      // vanished #sql-temptable file failed one dump in the first SC-003 run.
      `--tmpdir=${tmpDir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M',
      '--skip-name-resolve',
    ],
    { stdio: ['ignore', fd, fd] },
  );
  child.once('error', () => undefined);
  await waitReady(port, child, log);
  const user = 'mwop_backup';
  const password = 'p"w\\ d#1';
  const root = await createConnection({ host: '127.0.0.1', port, user: 'root' });
  await root.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY ?`, [password]);
  await root.query(`GRANT ALL PRIVILEGES ON *.* TO '${user}'@'127.0.0.1' WITH GRANT OPTION`);
  await root.end();
  return {
    port,
    dir,
    user,
    password,
    connect: (database?: string) =>
      createConnection({
        host: '127.0.0.1',
        port,
        user,
        password,
        multipleStatements: true,
        ...(database ? { database } : {}),
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
