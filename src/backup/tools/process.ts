// Child processes for the backup tools: a producer whose stdout is the artifact, and a consumer
// fed from a verified file. Both fail with the command, its exit status and its stderr tail.
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Command {
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

const STDERR_TAIL = 4096;

function describe(c: Command): string {
  return [c.cmd, ...c.args].join(' ');
}

function exitError(c: Command, code: number | null, signal: NodeJS.Signals | null, stderr: string): Error {
  const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
  return new Error(`${describe(c)} ${how}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
}

const running = new Set<ChildProcess>();

/**
 * Kills every child still running and waits (up to 5 s) until they are reaped: on the tool's
 * timeout a dump or load must not outlive it.
 */
export async function killRunningChildren(): Promise<void> {
  const closing = [...running].map((child) => new Promise((r) => child.once('close', r)));
  for (const child of running) child.kill('SIGKILL');
  await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 5000).unref())]);
}

function spawnChild(c: Command, stdin: 'ignore' | 'pipe') {
  const child = spawn(c.cmd, c.args, {
    stdio: [stdin, 'pipe', 'pipe'],
    env: { ...process.env, ...c.env },
  });
  running.add(child);
  child.once('close', () => running.delete(child));
  const stdout = child.stdout as Readable;
  const stderrStream = child.stderr as Readable;
  let stderr = '';
  stderrStream.setEncoding('utf8');
  stderrStream.on('data', (d: string) => {
    stderr = (stderr + d).slice(-STDERR_TAIL);
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(`${c.cmd} is not installed or not on PATH (needed to run: ${describe(c)})`)
          : err,
      );
    });
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(exitError(c, code, signal, stderr));
    });
  });
  return { child, stdout, stdin: child.stdin as Writable | null, exited };
}

export interface Producer {
  stdout: Readable;
  /** Resolves when the process exits 0; rejects with its stderr otherwise. */
  exited: Promise<void>;
  kill(): void;
}

/** Starts a process whose stdout is the artifact. */
export function startProducer(c: Command): Producer {
  const { child, stdout, exited } = spawnChild(c, 'ignore');
  exited.catch(() => undefined); // observed by the caller through beforeComplete
  return { stdout, exited, kill: () => child.kill('SIGTERM') };
}

/** Runs a process with `file` on stdin; resolves when it exits 0. */
export async function runWithStdinFile(c: Command, file: string): Promise<string> {
  const { stdout: out, stdin, exited } = spawnChild(c, 'pipe');
  let stdout = '';
  out.setEncoding('utf8');
  out.on('data', (d: string) => {
    stdout = (stdout + d).slice(-STDERR_TAIL);
  });
  const feeding = pipeline(createReadStream(file), stdin as Writable);
  // If the process dies early the pipe breaks (EPIPE); the exit status is the error to report.
  const [fed, exit] = await Promise.allSettled([feeding, exited]);
  if (exit.status === 'rejected') throw exit.reason;
  if (fed.status === 'rejected') throw fed.reason;
  return stdout;
}

/** Runs a process to completion and returns its stdout. */
export async function run(c: Command): Promise<string> {
  const { stdout: out, exited } = spawnChild(c, 'ignore');
  let stdout = '';
  out.setEncoding('utf8');
  out.on('data', (d: string) => {
    stdout += d;
  });
  await exited;
  return stdout;
}
