// Shared plumbing for tests that run real middleware processes: free loopback ports, binaries that
// must exist (a missing one fails loudly, it never skips), bounded polling and clean shutdown.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of a binary, or an error that says how to install it. */
export function requireBinary(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SYSTEM_DIRS];
  for (const d of dirs) {
    const p = join(d, name);
    if (d && existsSync(p)) return p;
  }
  throw new Error(
    `${name}: not found on PATH or in ${SYSTEM_DIRS.join(', ')}; install it with \`make system-deps\` (hack/install-system-deps.sh)`,
  );
}

export const makeTempDir = (prefix: string) => mkdtemp(join(tmpdir(), `mwop-${prefix}-`));

/** Polls `probe` until it returns true; bounded by attempts, never by a blind sleep. */
export async function pollUntil(
  what: string,
  probe: () => Promise<boolean>,
  opts: { attempts?: number; intervalMs?: number; diagnostics?: () => Promise<string> } = {},
): Promise<void> {
  const attempts = opts.attempts ?? 200;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
  const diag = opts.diagnostics ? `\n${await opts.diagnostics()}` : '';
  throw new Error(
    `${what}: not true after ${attempts} attempts${last ? ` (last error: ${(last as Error).message})` : ''}${diag}`,
  );
}

export async function tail(path: string, lines = 30): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${path})`;
  }
}

export interface Daemon {
  child: ChildProcess;
  /** Rejects when the process exits before it is stopped. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts a long-running process; stop() sends SIGTERM, then SIGKILL after `killAfterMs`. */
export function startDaemon(binary: string, args: string[], logPath: string, killAfterMs = 10_000): Daemon {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => {
    output = (output + d).slice(-4000);
  });
  child.stderr?.on('data', (d) => {
    output = (output + d).slice(-4000);
  });
  let stopping = false;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (stopping) resolve(code);
      else reject(new Error(`${binary} exited early with code ${code}:\n${output}\n(see ${logPath})`));
    });
  });
  exited.catch(() => {});
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await done;
      clearTimeout(t);
    },
  };
}

export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true });
