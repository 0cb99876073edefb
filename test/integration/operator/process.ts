// The operator as a real, separate process (`node src/main.ts ...`), as the Deployment runs it:
// its own event loop, its own stdout/stderr, killed with real signals.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resourcePath } from '../../../src/kube/gvr.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';
import { eventually, testenv } from '../support/cluster.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface OperatorProcess {
  identity: string;
  child: ChildProcess;
  healthPort: number;
  metricsPort: number;
  webhookPort: number;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines of stdout. */
  lines(): Record<string, unknown>[];
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  get(path: string, port?: number): Promise<{ status: number; body: string }>;
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export async function spawnOperator(opts: {
  namespace: string;
  identity: string;
  leaseName: string;
  extra?: string[];
}): Promise<OperatorProcess> {
  const [healthPort, metricsPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
  const args = [
    'src/main.ts',
    '--kubeconfig',
    testenv().kubeconfigs.admin,
    '--namespaces',
    opts.namespace,
    '--lease-namespace',
    opts.namespace,
    '--lease-name',
    opts.leaseName,
    '--identity',
    opts.identity,
    '--health-port',
    String(healthPort),
    '--metrics-port',
    String(metricsPort),
    '--webhook-port',
    String(webhookPort),
    '--shutdown-grace-seconds',
    '10',
    '--log-level',
    'debug',
    ...(opts.extra ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, KUBECONFIG: '', POD_NAME: '', POD_NAMESPACE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  // The output is kept on disk as soon as the process ends, so a death mid-test can be read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => {
      keepLog(opts.namespace, opts.identity, out + err);
      res({ code, signal });
    }),
  );
  const proc: OperatorProcess = {
    identity: opts.identity,
    child,
    healthPort,
    metricsPort,
    webhookPort,
    stdout: () => out,
    stderr: () => err,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return {};
          }
        }),
    exited,
    async get(path, port = healthPort) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: await res.text() };
    },
  };
  // Up when the health port answers; a process that dies first fails with its stderr.
  await eventually(`operator ${opts.identity} serving /healthz`, async () => {
    if (child.exitCode !== null) {
      throw new Error(`operator ${opts.identity} exited ${child.exitCode}: ${err}${out.slice(-2000)}`);
    }
    const r = await proc.get('/healthz').catch(() => undefined);
    return r?.status === 200 ? true : undefined;
  });
  return proc;
}

const LOG_DIR = join(tmpdir(), 'mwop-operator-logs');

function keepLog(label: string, identity: string, text: string): void {
  mkdirSync(LOG_DIR, { recursive: true });
  writeFileSync(join(LOG_DIR, `${label}-${identity}.log`), text);
}

/**
 * Kills what is still running (afterAll; SIGKILL, since the test is over). Each process's output
 * is then in $TMPDIR/mwop-operator-logs/<namespace>-<identity>.log.
 */
export function killAll(procs: (OperatorProcess | undefined)[]): Promise<unknown> {
  return Promise.all(
    procs.map(async (p) => {
      if (!p) return;
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }),
  );
}

/**
 * After the operators are gone: drops the finalizers of the instances left in the namespace, so
 * that deleting the test namespace finishes instead of waiting for an operator forever.
 */
export async function releaseInstances(rest: KubeRest, namespace: string): Promise<void> {
  const list = await rest.get<{ items: { metadata: { name: string; finalizers?: string[] } }[] }>(
    resourcePath('mwop.dev/v1alpha1', 'MiddlewareInstance', { namespace }),
  );
  for (const i of list.items) {
    if (!i.metadata.finalizers?.length) continue;
    await rest.patch(
      resourcePath('mwop.dev/v1alpha1', 'MiddlewareInstance', { namespace, name: i.metadata.name }),
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
    );
  }
}

export interface LeaseObj {
  metadata: { resourceVersion?: string };
  spec?: { holderIdentity?: string | null; leaseTransitions?: number; renewTime?: string };
}

export function getLease(rest: KubeRest, namespace: string, name: string): Promise<LeaseObj> {
  return rest.get<LeaseObj>(resourcePath('coordination.k8s.io/v1', 'Lease', { namespace, name }));
}

/** Waits until the lease is held by one of `candidates`; returns the holder. */
export function awaitHolder(
  rest: KubeRest,
  namespace: string,
  name: string,
  candidates: string[],
  attempts = 600,
): Promise<string> {
  return eventually(
    `lease ${namespace}/${name} held by one of ${candidates.join(', ')}`,
    async () => {
      const h = (await getLease(rest, namespace, name)).spec?.holderIdentity;
      return h && candidates.includes(h) ? h : undefined;
    },
    { attempts },
  );
}

/** The audit lines a process wrote. */
export function auditLines(p: OperatorProcess): Record<string, unknown>[] {
  return p.lines().filter((l) => l.audit === true);
}

/** One sample of a Prometheus text exposition, by metric name and labels (subset match). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const pair of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      have[pair[1]!] = pair[2]!;
    }
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}
