// Starts and stops the real local control plane the integration tests run against: etcd,
// kube-apiserver, kube-controller-manager and kube-scheduler, built by hack/testenv/build.sh.
// Everything listens on free 127.0.0.1 ports; every process runs in its own process group, and
// its pid is written to <runDir>/state.json so that stop() (or `cli.ts down` from another process)
// leaves nothing running.
//
// Identities (static tokens; --token-auth-file):
//   admin  in system:masters
//   alice, bob, ops  plain users in system:authenticated only: they can do what RBAC grants them
//   system:kube-controller-manager, system:kube-scheduler  the bootstrap identities of KCM and scheduler
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SimulationOptions, type SimulationState, startSimulation } from './simulation/start.ts';

export const USERS = ['admin', 'alice', 'bob', 'ops'] as const;
export type User = (typeof USERS)[number];

const here = dirname(fileURLToPath(import.meta.url));

export interface ControlPlaneOptions {
  /** Directory of the built binaries; default: the output of hack/testenv/build.sh. */
  binDir?: string;
  /** Where certificates, kubeconfigs, logs, etcd data and state.json go; created if missing. */
  runDir: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** How long to wait for each component to become ready, in milliseconds (default 180 s). */
  readyTimeoutMs?: number;
  /**
   * Also start kwok's simulated nodes, Argo's workflow-controller and the simulated executor
   * (hack/testenv/simulation; issue #12). Off by default: the integration tests play those parts.
   */
  simulation?: SimulationOptions | boolean;
}

interface ProcessRecord {
  name: string;
  pid: number;
  binary: string;
  log: string;
}

/** What state.json holds: enough for another process to use or stop the control plane. */
export interface ControlPlaneState {
  runDir: string;
  binDir: string;
  server: string;
  caFile: string;
  kubeconfigs: Record<User, string>;
  processes: ProcessRecord[];
  startedAt: string;
  /** Milliseconds from the first process spawned until the apiserver's /readyz said ok. */
  apiserverReadyMs: number;
  /** Milliseconds until the controller manager had created the default ServiceAccount. */
  readyMs: number;
  /** Present in simulation mode: the simulated nodes and where Argo runs. */
  simulation?: SimulationState;
}

export interface ControlPlane extends ControlPlaneState {
  stop(): Promise<void>;
}

export const stateFile = (runDir: string) => join(runDir, 'state.json');

/** Builds (or finds cached) binaries and returns their directory. */
export function buildBinaries(): string {
  try {
    return execFileSync('bash', [join(here, 'build.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  } catch (err) {
    throw new Error(
      `hack/testenv/build.sh failed; the control plane cannot start: ${(err as Error).message}`,
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no free port'))));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('openssl is not on PATH; install it with `make system-deps`');
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

/** A CA, the apiserver's serving certificate (127.0.0.1, localhost) and the service-account key pair. */
function writePki(dir: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(['genrsa', '-out', 'ca.key', '2048'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=mwop-testenv-ca',
      '-days',
      '3650',
      '-out',
      'ca.crt',
    ],
    dir,
  );
  openssl(['genrsa', '-out', 'apiserver.key', '2048'], dir);
  openssl(
    ['req', '-new', '-key', 'apiserver.key', '-subj', '/CN=kube-apiserver', '-out', 'apiserver.csr'],
    dir,
  );
  const san = [
    'IP:127.0.0.1',
    'IP:10.0.0.1',
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
  ].join(',');
  writeFileSync(
    join(dir, 'apiserver.ext'),
    `subjectAltName=${san}\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'apiserver.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '3650',
      '-extfile',
      'apiserver.ext',
      '-out',
      'apiserver.crt',
    ],
    dir,
  );
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
}

function kubeconfig(server: string, caFile: string, user: string, token: string): string {
  // JSON is valid YAML; kubectl and @kubernetes/client-node both read it.
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'mwop-testenv', cluster: { server, 'certificate-authority': caFile } }],
      users: [{ name: user, user: { token } }],
      contexts: [
        { name: `${user}@mwop-testenv`, context: { cluster: 'mwop-testenv', user, namespace: 'default' } },
      ],
      'current-context': `${user}@mwop-testenv`,
    },
    null,
    2,
  )}\n`;
}

/** GET `path` on the apiserver with a bearer token; resolves with the status code and body. */
function get(
  server: string,
  ca: Buffer,
  token: string,
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(
      `${server}${path}`,
      { ca, headers: { authorization: `Bearer ${token}` }, timeout: 5000 },
      (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (d) => {
          body += d;
        });
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.end();
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when `pid` still runs `binary` (not a recycled pid). */
function runs(pid: number, binary: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === binary;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to each process group, SIGKILL to what is left after `graceMs`; waits until all are gone. */
export async function stopProcesses(processes: ProcessRecord[], graceMs = 10_000): Promise<void> {
  const mine = processes.filter((p) => runs(p.pid, p.binary));
  // Reverse start order: the controllers first, etcd last.
  for (const p of [...mine].reverse()) signalGroup(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  const running = () => mine.some((p) => isAlive(p.pid) && !isZombie(p.pid));
  while (running() && Date.now() < deadline) await sleep(100);
  for (const p of mine) signalGroup(p.pid, 'SIGKILL');
  while (running()) await sleep(50);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Stops the control plane described by <runDir>/state.json (from any process). */
export async function stopFromState(runDir: string): Promise<boolean> {
  const path = stateFile(runDir);
  if (!existsSync(path)) return false;
  const state = JSON.parse(readFileSync(path, 'utf8')) as ControlPlaneState;
  await stopProcesses(state.processes);
  return true;
}

export function readState(runDir: string): ControlPlaneState | undefined {
  const path = stateFile(runDir);
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(readFileSync(path, 'utf8')) as ControlPlaneState;
  return state.processes.every((p) => runs(p.pid, p.binary)) ? state : undefined;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const log = opts.log ?? (() => {});
  const runDir = resolve(opts.runDir);
  const binDir = opts.binDir ?? buildBinaries();
  const timeoutMs = opts.readyTimeoutMs ?? 180_000;
  for (const b of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) {
    if (!existsSync(join(binDir, b)))
      throw new Error(`${join(binDir, b)} is missing; run hack/testenv/build.sh`);
  }
  if (readState(runDir))
    throw new Error(`a control plane from ${stateFile(runDir)} is still running; stop it first`);
  // What a previous run left behind (it died, or was killed): stop any survivor, start afresh.
  await stopFromState(runDir);
  for (const leftover of ['etcd', 'pki', 'kcm-certs', 'state.json']) {
    rmSync(join(runDir, leftover), { recursive: true, force: true });
  }
  mkdirSync(runDir, { recursive: true });
  const pki = join(runDir, 'pki');
  writePki(pki);
  const caFile = join(pki, 'ca.crt');
  const ca = readFileSync(caFile);

  const tokens: Record<string, string> = {};
  const identities: [name: string, groups: string][] = [
    ['admin', 'system:masters'],
    ['alice', ''],
    ['bob', ''],
    ['ops', ''],
    ['system:kube-controller-manager', ''],
    ['system:kube-scheduler', ''],
  ];
  const tokenLines = identities.map(([name, groups], i) => {
    tokens[name] = randomBytes(24).toString('hex');
    return `${tokens[name]},${name},uid-${i}${groups ? `,"${groups}"` : ''}`;
  });
  const tokenFile = join(pki, 'tokens.csv');
  writeFileSync(tokenFile, `${tokenLines.join('\n')}\n`, { mode: 0o600 });

  const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfigs = {} as Record<User, string>;
  for (const u of USERS) {
    kubeconfigs[u] = join(runDir, `kubeconfig-${u}.yaml`);
    writeFileSync(kubeconfigs[u], kubeconfig(server, caFile, u, tokens[u] as string), { mode: 0o600 });
  }
  const kcmKubeconfig = join(runDir, 'kubeconfig-kube-controller-manager.yaml');
  writeFileSync(
    kcmKubeconfig,
    kubeconfig(
      server,
      caFile,
      'system:kube-controller-manager',
      tokens['system:kube-controller-manager'] as string,
    ),
  );
  const schedKubeconfig = join(runDir, 'kubeconfig-kube-scheduler.yaml');
  writeFileSync(
    schedKubeconfig,
    kubeconfig(server, caFile, 'system:kube-scheduler', tokens['system:kube-scheduler'] as string),
  );

  const processes: ProcessRecord[] = [];
  const state: ControlPlaneState = {
    runDir,
    binDir,
    server,
    caFile,
    kubeconfigs,
    processes,
    startedAt: new Date().toISOString(),
    apiserverReadyMs: 0,
    readyMs: 0,
  };
  const saveState = () => writeFileSync(stateFile(runDir), `${JSON.stringify(state, null, 2)}\n`);

  const launch = (
    name: string,
    args: string[],
    how: { binary?: string; env?: NodeJS.ProcessEnv } = {},
  ): ProcessRecord => {
    const binary = how.binary ?? join(binDir, name);
    const logPath = join(runDir, `${name}.log`);
    const fd = openSync(logPath, 'w');
    // detached: its own process group, so stop() reaches its children too, and it outlives a CLI
    // that only starts it (make testenv-up).
    const child = spawn(binary, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: how.env ?? process.env,
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`${binary} could not be started`);
    child.unref();
    const rec = { name, pid: child.pid, binary, log: logPath };
    processes.push(rec);
    saveState();
    return rec;
  };

  const fail = async (what: string, rec?: ProcessRecord): Promise<never> => {
    const logs = (rec ? [rec] : processes).map((p) => `--- ${p.log} (last lines)\n${tail(p.log)}`).join('\n');
    await stopProcesses(processes, 2000);
    throw new Error(`testenv: ${what}\n${logs}`);
  };

  const waitFor = async (what: string, rec: ProcessRecord, probe: () => Promise<boolean>) => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      for (const p of processes) {
        if (!runs(p.pid, p.binary)) await fail(`${p.name} exited while waiting for ${what}`, p);
      }
      try {
        if (await probe()) return;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(100);
    }
    return fail(`${what}: not ready after ${timeoutMs} ms${last ? ` (last error: ${last})` : ''}`, rec);
  };

  try {
    const t0 = Date.now();
    log(`starting etcd on 127.0.0.1:${etcdPort}`);
    launch('etcd', [
      '--name=testenv',
      `--data-dir=${join(runDir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=testenv=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync', // test data only: fsync would make every write wait for the disk
      '--log-level=warn',
    ]);
    log(`starting kube-apiserver on ${server}`);
    const apiserver = launch('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${pki}`,
      `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
      `--client-ca-file=${caFile}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=Node,RBAC',
      '--anonymous-auth=false',
      '--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,ResourceQuota,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.0.0.0/16', // room for the 1,000- and 5,000-instance benchmarks (one Service each)
      // The "kubernetes" Service's endpoint would be 127.0.0.1, which Endpoints reject.
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      '--v=1',
    ]);
    const adminToken = tokens.admin as string;
    await waitFor('kube-apiserver /readyz', apiserver, async () => {
      const r = await get(server, ca, adminToken, '/readyz');
      return r.status === 200;
    });
    state.apiserverReadyMs = Date.now() - t0;
    log(`kube-apiserver ready after ${state.apiserverReadyMs} ms`);

    log('starting kube-controller-manager and kube-scheduler');
    const kcm = launch('kube-controller-manager', [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(runDir, 'kcm-certs')}`,
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${join(pki, 'sa.key')}`,
      `--root-ca-file=${caFile}`,
      `--cluster-signing-cert-file=${caFile}`,
      `--cluster-signing-key-file=${join(pki, 'ca.key')}`,
      // The default set includes resourcequota, namespace, garbage-collector, serviceaccount,
      // serviceaccount-token, job and statefulset; the node controllers have no nodes to manage.
      '--controllers=*',
      '--concurrent-gc-syncs=5',
      '--v=1',
    ]);
    launch('kube-scheduler', [
      `--kubeconfig=${schedKubeconfig}`,
      `--authentication-kubeconfig=${schedKubeconfig}`,
      `--authorization-kubeconfig=${schedKubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
      '--leader-elect=false',
      '--v=1',
    ]);
    // The serviceaccount controller creating "default" proves KCM is up and its informers synced.
    await waitFor('kube-controller-manager (ServiceAccount default/default)', kcm, async () => {
      const r = await get(server, ca, adminToken, '/api/v1/namespaces/default/serviceaccounts/default');
      return r.status === 200;
    });
    state.readyMs = Date.now() - t0;
    saveState();
    log(`control plane ready after ${state.readyMs} ms`);
    if (opts.simulation) {
      state.simulation = await startSimulation(
        {
          runDir,
          kubectl: join(binDir, 'kubectl'),
          adminKubeconfig: kubeconfigs.admin,
          launch,
          waitFor,
          log,
        },
        opts.simulation === true ? {} : opts.simulation,
      );
      saveState();
      log(`simulation ready after ${Date.now() - t0} ms`);
    }
  } catch (err) {
    await stopProcesses(processes, 2000);
    throw err;
  }

  return { ...state, stop: () => stopProcesses(processes) };
}

function tail(path: string, lines = 40): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
