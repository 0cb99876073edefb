// Scale and latency benchmark (issue #13). Not part of `make test`; nothing is asserted, it records.
//   npm run bench:scale -- --instances 1000 --namespaces 20
//   npm run bench:scale -- --instances 50 --namespaces 5 --keep     # leave the cluster up
// Flags: --instances N (default 50), --namespaces M (default 5), --concurrency C (create burst
// clients, default 16), --idle-seconds S (idle window, default 120), --keep.
//
// What is real and what is simulated (written into the results as well):
// - real: etcd, kube-apiserver, kube-controller-manager (StatefulSet, PV binder, GC controllers),
//   kube-scheduler from hack/testenv; the operator as its own process (`node src/main.ts`, leader
//   election on, every controller) with its admission webhook registered by URL and caBundle,
//   failurePolicy Fail, so every create in the burst goes through it.
// - simulated: the nodes (kwok: pods are scheduled, then reported Running and Ready; no container
//   runs; claims get a hostPath PV), and Argo: there is no workflow-controller; this bench writes
//   the Succeeded status Argo would write on every Workflow the operator creates, the moment it
//   sees it (like test/integration/support/fake-argo.ts). So "until Running" measures the
//   operator, the apiserver, the controller manager and kwok, not the workflow steps.
//
// Sequence: control plane -> install (CRDs, Argo CRDs, plugins, templates) -> kwok nodes ->
// operator + webhook -> baseline burst of ConfigMaps (the apiserver's own write latency) ->
// burst of N instances over M namespaces and the four types -> until all Running -> restart the
// operator and time the full resync -> idle window (requests per minute, steady RSS and heap) ->
// a new MiddlewareType and the time until an instance of it is admitted -> results.
// Results: test/bench/results/scale-<N>.{json,md}.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { installMwopInto, repoRoot } from '../../../hack/dev/install.ts';
import { type ControlPlane, startControlPlane, stopProcesses } from '../../../hack/testenv/cluster.ts';
import { KWOK_NODE_ANNOTATION, nodeManifest } from '../../../hack/testenv/simulation/start.ts';
import type { MiddlewareInstance, MiddlewareType } from '../../../src/api/index.ts';
import { mergePatch } from '../../../src/kube/apply.ts';
import { isConflict, KubeApiError } from '../../../src/kube/errors.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import { Informer } from '../../../src/kube/informer.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import {
  bucketDelta,
  buckets,
  histogramQuantile,
  parseProm,
  percentile,
  round,
  type Sample,
  sum,
} from './stats.ts';

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    instances: { type: 'string', default: '50' },
    namespaces: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    'idle-seconds': { type: 'string', default: '120' },
    keep: { type: 'boolean', default: false },
    'leader-elect': { type: 'boolean', default: false },
    'converge-minutes': { type: 'string', default: '40' },
    'resync-minutes': { type: 'string', default: '15' },
    'ready-minutes': { type: 'string', default: '15' },
  },
});
const N = Number(flags.instances);
const M = Math.min(Number(flags.namespaces), N);
const CONCURRENCY = Number(flags.concurrency);
const IDLE_S = Number(flags['idle-seconds']);
const TYPES = ['redis', 'mysql', 'kafka', 'elasticsearch'];
const VWC = 'mwop-webhook-bench';
// One run dir per size, so two sizes can run side by side.
const runDir = join(repoRoot, `hack/testenv/run/bench-scale-${N}`);
const resultsDir = join(repoRoot, 'test/bench/results');
const T0 = Date.now();
const say = (s: string) =>
  process.stdout.write(`[${((Date.now() - T0) / 1000).toFixed(0).padStart(5)} s] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (n: number | undefined) => (n === undefined ? undefined : Math.round((n / 1024 / 1024) * 10) / 10);
// The tree the operator is started from: recorded now, not at the end (others commit meanwhile).
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: repoRoot,
  encoding: 'utf8',
}).trim();
const dirtySrc = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
  cwd: repoRoot,
  encoding: 'utf8',
})
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean);
const dirty = dirtySrc.length > 0;
const loads: { at: string; load: number[] }[] = [];
const noteLoad = (at: string) => loads.push({ at, load: loadavg().map((l) => Math.round(l * 100) / 100) });

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

const applyAt = (rest: KubeRest, path: string, obj: unknown) =>
  rest.patch(path, obj, 'application/apply-patch+yaml', {
    query: { fieldManager: 'mwop-bench', force: true },
  });

// ---------------------------------------------------------------------------------------------
// Cluster
noteLoad('start');
say(`scale bench: ${N} instances over ${M} namespaces, ${CONCURRENCY} clients; run dir ${runDir}`);
mkdirSync(runDir, { recursive: true });
const cp: ControlPlane = await startControlPlane({ runDir, log: (l) => say(`testenv: ${l}`) });
const kc = new KubeConfig();
kc.loadFromFile(cp.kubeconfigs.admin);
const rest = new KubeRest(kc);
const kwokProcs: { name: string; pid: number; binary: string; log: string }[] = [];
interface OperatorProc {
  child: ReturnType<typeof spawn>;
  log: string;
  startedAt: number;
  exit: Promise<number>;
  alive(): boolean;
  logged(msg: string): number | undefined;
}
let operator: OperatorProc | undefined;
let exitCode = 0;

try {
  say('installing mwop: CRDs, Argo CRDs, plugins, workflow templates');
  await installMwopInto(rest);
  const namespaces = Array.from({ length: M }, (_, i) => `bench-${i}`);
  for (const name of ['mwop-system', ...namespaces])
    await applyAt(rest, `/api/v1/namespaces/${name}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });

  // kwok: simulated nodes, the pod and volume Stages of hack/testenv/simulation. No Argo.
  const nodeCount = Math.ceil(N / 500) + 1;
  const nodes = Array.from({ length: nodeCount }, (_, i) => `sim-node-${i}`);
  say(`starting kwok with ${nodeCount} simulated nodes (no workflow-controller: the bench plays Argo)`);
  for (const n of nodes) await applyAt(rest, `/api/v1/nodes/${n}`, nodeManifest(n));
  await applyAt(rest, '/apis/storage.k8s.io/v1/storageclasses/mwop-sim', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'mwop-sim', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'sim.mwop.dev/hostpath',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: true,
  });
  const kwokDir = execFileSync('bash', [join(repoRoot, 'hack/testenv/build.sh'), 'kwok'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  kwokProcs.push(
    launch('kwok', join(kwokDir, 'kwok'), [
      `--kubeconfig=${cp.kubeconfigs.admin}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      `--config=${join(repoRoot, 'hack/testenv/simulation/stages.yaml')}`,
      '--node-lease-duration-seconds=40',
      '--server-address=',
    ]),
  );
  for (let i = 0; ; i++) {
    const list = await rest.get<{
      items: { status?: { conditions?: { type: string; status: string }[] } }[];
    }>('/api/v1/nodes');
    const ready = list.items.filter((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
    if (ready >= nodeCount) break;
    if (i > 600) throw new Error(`kwok: only ${ready}/${nodeCount} nodes Ready after 60 s`);
    await sleep(100);
  }

  // The webhook, registered by URL: the operator's own CA, whose caBundle it writes into VWC.
  const ports = { metrics: await freePort(), health: await freePort(), webhook: await freePort() };
  const hook = (plural: string, scope: 'Namespaced' | 'Cluster') => ({
    name: `${plural}.bench.validate.mwop.dev`,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
    clientConfig: { url: `https://127.0.0.1:${ports.webhook}/validate/${plural}` },
    rules: [
      {
        apiGroups: ['mwop.dev'],
        apiVersions: ['v1alpha1'],
        operations: ['CREATE', 'UPDATE'],
        resources: [plural],
        scope,
      },
    ],
    ...(scope === 'Namespaced'
      ? {
          namespaceSelector: {
            matchExpressions: [
              {
                key: 'kubernetes.io/metadata.name',
                operator: 'NotIn',
                values: ['mwop-system', 'kube-system'],
              },
            ],
          },
        }
      : {}),
  });
  await applyAt(rest, `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${VWC}`, {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: VWC },
    webhooks: [hook('middlewareinstances', 'Namespaced'), hook('middlewaretypes', 'Cluster')],
  });

  // ---------------------------------------------------------------------------------------------
  // Watches: the bench plays Argo, and records when things happen.
  const createSent = new Map<string, number>();
  const createDone = new Map<string, number>();
  const workflowSeen = new Map<string, number>();
  const runningAt = new Map<string, number>();
  /** Phase Running says the create finished; the Ready condition says every member is ready too. */
  const readyAt = new Map<string, number>();
  const phases = new Map<string, string>();
  const finishing = new Set<string>();
  type Wf = {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
    spec?: { entrypoint?: string; templates?: { name: string; dag?: { tasks: { name: string }[] } }[] };
    status?: { phase?: string };
  };
  const finishQueue: Wf[] = [];
  const workflows = new Informer<Wf>({
    rest,
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    labelSelector: 'mwop.dev/instance',
    transform: (wf) => {
      const entry = wf.spec?.templates?.find((t) => t.name === (wf.spec?.entrypoint ?? 'main'));
      return {
        apiVersion: wf.apiVersion,
        kind: wf.kind,
        metadata: { name: wf.metadata?.name, namespace: wf.metadata?.namespace, labels: wf.metadata?.labels },
        spec: { entrypoint: wf.spec?.entrypoint, templates: entry ? [entry] : [] },
        status: { phase: wf.status?.phase },
      };
    },
  });
  workflows.on((type, wf) => {
    if (type === 'delete') return;
    const key = `${wf.metadata?.namespace}/${wf.metadata?.labels?.['mwop.dev/instance']}`;
    if (!workflowSeen.has(key)) workflowSeen.set(key, Date.now());
    const id = `${wf.metadata?.namespace}/${wf.metadata?.name}`;
    if (!wf.status?.phase && !finishing.has(id)) {
      finishing.add(id);
      finishQueue.push(wf);
    }
  });
  const instances = new Informer<MiddlewareInstance>({
    rest,
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    transform: (i) =>
      ({
        metadata: { name: i.metadata.name, namespace: i.metadata.namespace },
        status: {
          phase: i.status?.phase,
          conditions: i.status?.conditions?.filter((c) => c.type === 'Ready'),
        },
      }) as never,
  });
  instances.on((type, i) => {
    const key = `${i.metadata.namespace}/${i.metadata.name}`;
    if (type === 'delete') return;
    phases.set(key, i.status?.phase ?? '(none)');
    if (i.status?.phase === 'Running' && !runningAt.has(key)) runningAt.set(key, Date.now());
    if (i.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !readyAt.has(key))
      readyAt.set(key, Date.now());
  });
  await Promise.all([workflows.start(), instances.start()]);
  // The Argo stand-in: what a workflow that ran all its steps looks like (fake-argo's finishWorkflow).
  let argoStop = false;
  const argoPatches = { ok: 0, failed: 0 };
  const argo = (async () => {
    const finish = async (wf: Wf) => {
      const name = wf.metadata!.name!;
      const now = new Date().toISOString();
      const entry = wf.spec?.templates?.[0];
      const nodes: Record<string, unknown> = {
        [name]: {
          id: name,
          name,
          displayName: name,
          type: 'DAG',
          phase: 'Succeeded',
          templateName: entry?.name ?? 'main',
        },
      };
      (entry?.dag?.tasks ?? []).forEach((t, i) => {
        nodes[`${name}-${i}`] = {
          id: `${name}-${i}`,
          name: `${name}.${t.name}`,
          displayName: t.name,
          type: 'Pod',
          boundaryID: name,
          phase: 'Succeeded',
          startedAt: now,
          finishedAt: now,
        };
      });
      try {
        await mergePatch(
          rest,
          { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: wf.metadata as never },
          {
            status: { phase: 'Succeeded', startedAt: now, finishedAt: now, nodes },
          },
        );
        argoPatches.ok++;
      } catch {
        argoPatches.failed++;
        finishing.delete(`${wf.metadata?.namespace}/${name}`);
      }
    };
    const inFlight = new Set<Promise<void>>();
    while (!argoStop) {
      while (finishQueue.length > 0 && inFlight.size < 8) {
        const p = finish(finishQueue.shift()!).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await (inFlight.size > 0 ? Promise.race(inFlight) : sleep(20));
    }
  })();

  // ---------------------------------------------------------------------------------------------
  // The operator, as its own process.
  const rssSamples: {
    at: number;
    stage: string;
    rssKb: number;
    hwmKb: number;
    heapUsed?: number;
    heapTotal?: number;
    /** prom-client's nodejs_eventloop_lag_max_seconds: the worst event-loop delay since the last scrape. */
    lagMaxS?: number;
  }[] = [];
  let stage = 'startup';
  let opMetrics: Sample[] = [];
  const scrapeOperator = async (): Promise<Sample[]> => {
    const res = await fetch(`http://127.0.0.1:${ports.metrics}/metrics`, {
      signal: AbortSignal.timeout(10_000),
    });
    return parseProm(await res.text());
  };
  let sampling = true;
  const sampler = (async () => {
    let tick = 0;
    while (sampling) {
      const pid = operator?.child.pid;
      if (pid && operator?.alive()) {
        try {
          const st = readFileSync(`/proc/${pid}/status`, 'utf8');
          const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? 0);
          const s: (typeof rssSamples)[number] = {
            at: Date.now(),
            stage,
            rssKb: kb('VmRSS'),
            hwmKb: kb('VmHWM'),
          };
          if (tick % 2 === 0) {
            try {
              opMetrics = await scrapeOperator();
              s.heapUsed = sum(opMetrics, 'nodejs_heap_size_used_bytes');
              s.heapTotal = sum(opMetrics, 'nodejs_heap_size_total_bytes');
              s.lagMaxS = sum(opMetrics, 'nodejs_eventloop_lag_max_seconds');
            } catch {
              // not serving yet, or busy past the timeout
            }
          }
          rssSamples.push(s);
        } catch {
          // exited between the check and the read
        }
      }
      tick++;
      await sleep(1000);
    }
  })();

  const countsFile = (n: number) => join(runDir, `operator-${n}.counts.json`);
  const readCounts = (n: number): Record<string, number> => {
    try {
      return (JSON.parse(readFileSync(countsFile(n), 'utf8')) as { counts: Record<string, number> }).counts;
    } catch {
      return {};
    }
  };
  function startOperator(n: number): OperatorProc {
    const log = join(runDir, `operator-${n}.log`);
    const fd = openSync(log, 'w');
    const child = spawn(
      process.execPath,
      [
        '--no-warnings',
        '--import',
        join(import.meta.dirname, 'count-requests.ts'),
        join(repoRoot, 'src/main.ts'),
        '--kubeconfig',
        cp.kubeconfigs.admin,
        '--metrics-port',
        String(ports.metrics),
        '--health-port',
        String(ports.health),
        '--webhook-port',
        String(ports.webhook),
        '--webhook-config-name',
        VWC,
        '--shutdown-grace-seconds',
        '5',
        '--log-level',
        'info',
        '--leader-elect',
        String(flags['leader-elect']),
      ],
      {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, MWOP_BENCH_COUNTS: countsFile(n), POD_NAME: 'mwop-bench' },
      },
    );
    closeSync(fd);
    let exited = false;
    const exit = new Promise<number>((r) =>
      child.on('exit', (code) => {
        exited = true;
        r(code ?? -1);
      }),
    );
    const startedAt = Date.now();
    return {
      child,
      log,
      startedAt,
      exit,
      alive: () => !exited,
      /** ms since start when `msg` first appears in the log, else undefined. */
      logged(msg: string): number | undefined {
        for (const line of readFileSync(log, 'utf8').split('\n')) {
          if (!line.includes(msg)) continue;
          try {
            return Date.parse((JSON.parse(line) as { time: string }).time) - startedAt;
          } catch {
            return Date.now() - startedAt;
          }
        }
        return undefined;
      },
    };
  }
  const waitUntil = async (what: string, timeoutMs: number, probe: () => Promise<boolean> | boolean) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (operator && !operator.alive())
        throw new Error(`operator exited while waiting for ${what}; see ${operator.log}`);
      if (await probe()) return;
      await sleep(200);
    }
    throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
  };
  const vwcReady = async () => {
    const vwc = await rest.get<{ webhooks: { clientConfig: { caBundle?: string } }[] }>(
      `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${VWC}`,
    );
    return vwc.webhooks.every((w) => w.clientConfig.caBundle);
  };

  say('starting the operator: node src/main.ts (its own process), webhook by URL');
  operator = startOperator(1);
  await waitUntil(
    'operator controllers running',
    180_000,
    () => operator!.logged('caches synced') !== undefined,
  );
  await waitUntil('webhook caBundle in the VWC', 60_000, vwcReady);
  const firstStart = { cachesSyncedMs: operator.logged('caches synced') };
  say(`operator up: caches synced after ${firstStart.cachesSyncedMs} ms`);
  await sleep(3000);

  // ---------------------------------------------------------------------------------------------
  // Baseline: the apiserver's own create latency for a small object, no webhook involved.
  stage = 'baseline';
  const baseline: number[] = [];
  const baselineN = Math.min(200, N);
  await pool(
    Array.from({ length: baselineN }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const t = performance.now();
      await rest.post(`/api/v1/namespaces/${namespaces[i % M]}/configmaps`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `baseline-${i}` },
        data: { i: String(i) },
      });
      baseline.push(performance.now() - t);
    },
  );

  // ---------------------------------------------------------------------------------------------
  // The burst.
  const apiBefore = parseProm(await (await rest.raw('GET', '/metrics')).text());
  const opBefore = await scrapeOperator();
  noteLoad('burst start');
  stage = 'burst';
  say(`creating ${N} instances (${CONCURRENCY} clients)`);
  const createLatency: number[] = [];
  const createErrors: string[] = [];
  const burstStart = Date.now();
  const specs = Array.from({ length: N }, (_, i) => ({
    ns: namespaces[i % M]!,
    name: `inst-${i}`,
    type: TYPES[i % TYPES.length]!,
  }));
  await pool(specs, CONCURRENCY, async (s) => {
    const key = `${s.ns}/${s.name}`;
    const obj: MiddlewareInstance = {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareInstance',
      metadata: { name: s.name, namespace: s.ns },
      spec: {
        type: s.type,
        pluginVersion: 'v1',
        replicas: 1,
        storage: { size: '1Gi' },
        config: { preset: 'small' },
      },
    };
    for (let attempt = 1; ; attempt++) {
      const t = performance.now();
      createSent.set(key, Date.now());
      try {
        await rest.post(resourcePath('mwop.dev/v1alpha1', 'MiddlewareInstance', { namespace: s.ns }), obj);
        createLatency.push(performance.now() - t);
        createDone.set(key, Date.now());
        return;
      } catch (err) {
        if (isConflict(err)) return;
        createErrors.push(`${key}: ${(err as Error).message.slice(0, 200)}`);
        if (attempt >= 5) return;
        await sleep(500);
      }
    }
  });
  const burstMs = Date.now() - burstStart;
  noteLoad('burst end');
  const apiAfter = parseProm(await (await rest.raw('GET', '/metrics')).text());
  const opAfter = await scrapeOperator();
  say(`burst done in ${burstMs} ms (${createErrors.length} errors)`);

  // Until every instance reports Running.
  stage = 'converge';
  const convergeTimeoutMs = Number(flags['converge-minutes']) * 60_000;
  let lastShown = 0;
  let converged = true;
  await waitUntil('every instance Running', convergeTimeoutMs, () => {
    if (Date.now() - lastShown > 15_000) {
      lastShown = Date.now();
      const byPhase: Record<string, number> = {};
      for (const p of phases.values()) byPhase[p] = (byPhase[p] ?? 0) + 1;
      say(
        `  workflows seen ${workflowSeen.size}/${N}, finished by the Argo stand-in ${argoPatches.ok}, Running ${runningAt.size}/${N}; phases ${JSON.stringify(byPhase)}; load ${loadavg()[0]!.toFixed(1)}`,
      );
    }
    return runningAt.size >= createDone.size && createDone.size > 0;
  }).catch((err) => {
    // Recorded as not converged; the restart and idle measurements still run on what is there.
    if (!operator?.alive()) throw err;
    converged = false;
    say(
      `not converged: ${runningAt.size}/${createDone.size} Running after ${convergeTimeoutMs / 60_000} min`,
    );
  });
  const allRunningMs = Math.max(...runningAt.values()) - burstStart;
  const allWorkflowsMs = Math.max(...workflowSeen.values()) - burstStart;
  noteLoad('all running');
  say(`all ${runningAt.size} instances Running after ${allRunningMs} ms`);
  const wfFromSent: number[] = [];
  const wfFromDone: number[] = [];
  const runFromSent: number[] = [];
  for (const [key, sent] of createSent) {
    const wf = workflowSeen.get(key);
    const done = createDone.get(key);
    if (wf !== undefined && done !== undefined) {
      wfFromSent.push(wf - sent);
      wfFromDone.push(wf - done);
    }
    const run = runningAt.get(key);
    if (run !== undefined) runFromSent.push(run - sent);
  }
  const peakAfterBurstKb = Math.max(...rssSamples.map((s) => s.hwmKb));

  // Every member Ready too (phase Running does not wait for it): until then each member that
  // becomes ready is a real status change, and the idle window below would count it as traffic.
  const readyCapMs = Number(flags['ready-minutes']) * 60_000;
  let allReady = true;
  await waitUntil('every instance Ready', readyCapMs, () => {
    if (Date.now() - lastShown > 15_000) {
      lastShown = Date.now();
      say(`  Ready=True ${readyAt.size}/${runningAt.size}; load ${loadavg()[0]!.toFixed(1)}`);
    }
    return readyAt.size >= runningAt.size;
  }).catch((err) => {
    if (!operator?.alive()) throw err;
    allReady = false;
    say(`not all Ready: ${readyAt.size}/${runningAt.size} after ${readyCapMs / 60_000} min`);
  });
  const readyBeforeRestart = readyAt.size;
  noteLoad('all ready');

  stage = 'settle';
  await sleep(20_000);
  const before = readCounts(1);
  const reconcilesBeforeRestart = sum(await scrapeOperator(), 'controller_runtime_reconcile_total', {
    controller: 'middlewareinstance',
  });

  // ---------------------------------------------------------------------------------------------
  // Restart: SIGTERM, start again, time the full resync.
  say('restarting the operator: full resync');
  stage = 'restart';
  const old = operator;
  old.child.kill('SIGTERM');
  await old.exit;
  operator = startOperator(2);
  let resync: Record<string, number | undefined> = {};
  const restartStart = operator.startedAt;
  const resyncCapMs = Number(flags['resync-minutes']) * 60_000;
  await waitUntil('full resync', resyncCapMs, async () => {
    try {
      const m = await scrapeOperator();
      const reconciled = sum(m, 'controller_runtime_reconcile_total', { controller: 'middlewareinstance' });
      const depth = sum(m, 'workqueue_depth', { name: 'middlewareinstance' });
      resync.reconciledAtCap = reconciled;
      if (resync.metricsUpMs === undefined) resync.metricsUpMs = Date.now() - restartStart;
      if (reconciled >= createDone.size && depth === 0) {
        resync = { ...resync, reconciled, allReconciledMs: Date.now() - restartStart };
        return true;
      }
    } catch {
      // not listening yet
    }
    return false;
  }).catch((err) => {
    if (!operator?.alive()) throw err;
    say(`resync not complete after ${resyncCapMs / 60_000} min: ${resync.reconciledAtCap} reconciles`);
  });
  resync.cachesSyncedMs = operator.logged('caches synced');
  resync.leaderMs = operator.logged('became leader');
  noteLoad('resync done');
  say(`resync: all ${N} reconciled ${resync.allReconciledMs} ms after the process started`);
  await sleep(5000);
  const resyncCounts = readCounts(2);

  // ---------------------------------------------------------------------------------------------
  // Idle.
  stage = 'settle';
  await sleep(15_000);
  stage = 'idle';
  noteLoad('idle start');
  say(`idle window: ${IDLE_S} s`);
  const idleFrom = readCounts(2);
  const idleStart = Date.now();
  await sleep(IDLE_S * 1000);
  await sleep(1500); // one more flush of the counts file
  const idleTo = readCounts(2);
  const idleSeconds = (Date.now() - idleStart - 1500) / 1000;
  noteLoad('idle end');
  const idleDelta: Record<string, number> = {};
  for (const [k, v] of Object.entries(idleTo)) {
    const d = v - (idleFrom[k] ?? 0);
    if (d > 0) idleDelta[k] = d;
  }
  const isOverhead = (k: string) => k.startsWith('WATCH ') || k.includes(' leases');
  const idleOther = Object.entries(idleDelta)
    .filter(([k]) => !isOverhead(k))
    .reduce((n, [, v]) => n + v, 0);
  const idleAll = Object.values(idleDelta).reduce((n, v) => n + v, 0);
  // The 10-minute periodic relist hands every object to the handlers again, which reconciles every
  // instance, like the restart did: its requests, spread over the 10 minutes.
  const resyncRequests = Object.entries(resyncCounts)
    .filter(([k]) => !isOverhead(k) && !k.startsWith('LIST '))
    .reduce((n, [, v]) => n + v, 0);
  const idleSamples = rssSamples.filter((s) => s.stage === 'idle');

  // ---------------------------------------------------------------------------------------------
  // A new MiddlewareType: how long until an instance of it is admitted.
  stage = 'new-type';
  const typeName = `benchtype${Date.now().toString(36)}`;
  const redisType = parse(
    readFileSync(join(repoRoot, 'deploy/plugins/redis.yaml'), 'utf8'),
  ) as MiddlewareType;
  const newType = { ...redisType, metadata: { name: typeName } };
  const tType = Date.now();
  await rest.post(resourcePath('mwop.dev/v1alpha1', 'MiddlewareType'), newType);
  const typeCreatedMs = Date.now() - tType;
  let attempts = 0;
  let admittedMs: number | undefined;
  let lastDenial = '';
  const newKey = `${namespaces[0]}/first-${typeName}`;
  for (; Date.now() - tType < 120_000; ) {
    attempts++;
    try {
      await rest.post(resourcePath('mwop.dev/v1alpha1', 'MiddlewareInstance', { namespace: namespaces[0] }), {
        apiVersion: 'mwop.dev/v1alpha1',
        kind: 'MiddlewareInstance',
        metadata: { name: `first-${typeName}`, namespace: namespaces[0] },
        spec: {
          type: typeName,
          pluginVersion: 'v1',
          replicas: 1,
          storage: { size: '1Gi' },
          config: { preset: 'small' },
        },
      });
      admittedMs = Date.now() - tType;
      createDone.set(newKey, Date.now());
      break;
    } catch (err) {
      lastDenial = err instanceof KubeApiError ? err.message.slice(0, 300) : String(err);
      await sleep(25);
    }
  }
  let newTypeWorkflowMs: number | undefined;
  if (admittedMs !== undefined) {
    await waitUntil('workflow of the first instance of the new type', 60_000, () =>
      workflowSeen.has(newKey),
    ).catch(() => undefined);
    const seen = workflowSeen.get(newKey);
    if (seen !== undefined) newTypeWorkflowMs = seen - tType;
  }
  say(`new type: admitted after ${admittedMs} ms (${attempts} attempts)`);

  // ---------------------------------------------------------------------------------------------
  // Figures.
  const hist = (after: Sample[], beforeS: Sample[], name: string, match: Record<string, string>) => {
    const d = bucketDelta(buckets(after, name, match), buckets(beforeS, name, match));
    const p50 = histogramQuantile(d, 0.5);
    const p99 = histogramQuantile(d, 0.99);
    return {
      count: p50.count,
      p50Ms: round((p50.interpolated ?? Number.NaN) * 1000, 2),
      p99Ms: round((p99.interpolated ?? Number.NaN) * 1000, 2),
      p99BucketUpperMs: p99.upperBound === undefined ? undefined : p99.upperBound * 1000,
    };
  };
  const webhookServer = hist(opAfter, opBefore, 'mwop_webhook_duration_seconds', {
    kind: 'MiddlewareInstance',
  });
  const webhookApiserver = hist(
    apiAfter,
    apiBefore,
    'apiserver_admission_webhook_admission_duration_seconds',
    {
      name: 'middlewareinstances.bench.validate.mwop.dev',
    },
  );
  const steadyRss = percentile(
    idleSamples.map((s) => s.rssKb),
    0.5,
  );
  const heapIdle = idleSamples.filter((s) => s.heapUsed !== undefined);
  const results = {
    bench: 'scale',
    date: new Date().toISOString(),
    command: `npm run bench:scale -- ${process.argv.slice(2).join(' ')}`.trim(),
    commit: `${commit}${dirty ? ' (src/ has uncommitted changes)' : ''}`,
    uncommittedInSrc: dirtySrc,
    machine: {
      cores: cpus().length,
      model: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      loadAverage: loads,
    },
    setup: {
      instances: N,
      namespaces: M,
      types: TYPES,
      replicasEach: 1,
      concurrency: CONCURRENCY,
      simulatedNodes: nodeCount,
      idleSeconds: round(idleSeconds, 0),
    },
    simulated: [
      'nodes: kwok (pods scheduled by the real kube-scheduler, then reported Running and Ready by kwok; no container runs; claims bound to hostPath PVs)',
      'Argo: no workflow-controller; the bench writes a Succeeded status on every Workflow the operator creates as soon as it sees it (no step runs)',
    ],
    real: [
      'etcd, kube-apiserver, kube-controller-manager, kube-scheduler (hack/testenv)',
      `the operator as its own process (node src/main.ts), leader election ${flags['leader-elect'] ? 'on' : 'off'}, all controllers`,
      'its admission webhook, registered by URL with failurePolicy Fail: every create goes through it',
    ],
    figures: {
      memory: {
        peakRssMB: mb(Math.max(...rssSamples.map((s) => s.hwmKb)) * 1024),
        peakRssDuringBurstAndConvergeMB: mb(peakAfterBurstKb * 1024),
        steadyRssMB: mb((steadyRss ?? 0) * 1024),
        steadyHeapUsedMB: mb(
          percentile(
            heapIdle.map((s) => s.heapUsed!),
            0.5,
          ),
        ),
        steadyHeapTotalMB: mb(
          percentile(
            heapIdle.map((s) => s.heapTotal!),
            0.5,
          ),
        ),
        peakHeapUsedMB: mb(Math.max(0, ...rssSamples.map((s) => s.heapUsed ?? 0))),
        eventLoopLagMaxMsByStage: Object.fromEntries(
          [...new Set(rssSamples.map((s) => s.stage))].map((st) => [
            st,
            round(
              Math.max(0, ...rssSamples.filter((s) => s.stage === st).map((s) => (s.lagMaxS ?? 0) * 1000)),
              0,
            ),
          ]),
        ),
        goal: N <= 1000 ? '<= 256 MB RSS at 1,000 instances' : '<= 512 MB RSS at 5,000 instances',
      },
      createToWorkflow: {
        fromRequestSentMs: {
          p50: round(percentile(wfFromSent, 0.5)),
          p99: round(percentile(wfFromSent, 0.99)),
          max: round(Math.max(...wfFromSent)),
        },
        fromCreateReturnedMs: {
          p50: round(percentile(wfFromDone, 0.5)),
          p99: round(percentile(wfFromDone, 0.99)),
          max: round(Math.max(...wfFromDone)),
        },
        samples: wfFromDone.length,
        allWorkflowsCreatedMs: allWorkflowsMs,
        goal: 'p99 <= 1 s at 1,000 instances',
      },
      untilAllRunning: {
        converged,
        runningAtEnd: runningAt.size,
        fromBurstStartMs: converged ? allRunningMs : undefined,
        lastRunningAfterMs: allRunningMs,
        readyAtEnd: readyAt.size,
        allReadyBeforeIdle: allReady,
        readyBeforeRestart,
        lastReadyAfterMs: readyAt.size > 0 ? Math.max(...readyAt.values()) - burstStart : undefined,
        perInstanceFromCreateMs: {
          p50: round(percentile(runFromSent, 0.5)),
          p99: round(percentile(runFromSent, 0.99)),
        },
        burstDurationMs: burstMs,
        createErrors: createErrors.length,
        createErrorSamples: createErrors.slice(0, 5),
        goal: 'convergence within 30 s per instance (NFR); no goal for the whole burst',
      },
      resyncAfterRestart: {
        ...resync,
        reconcilesBeforeRestart,
        requestsDuringResync: resyncCounts,
        goal: 'full resync of 1,000 instances <= 30 s',
      },
      webhookDuringBurst: {
        clientCreateMs: {
          p50: round(percentile(createLatency, 0.5), 2),
          p99: round(percentile(createLatency, 0.99), 2),
          max: round(Math.max(...createLatency), 2),
        },
        baselineConfigMapCreateMs: {
          n: baselineN,
          p50: round(percentile(baseline, 0.5), 2),
          p99: round(percentile(baseline, 0.99), 2),
        },
        webhookServerHistogram: webhookServer,
        apiserverWebhookHistogram: webhookApiserver,
        goal: 'webhook p99 <= 25 ms during the burst',
      },
      idleApiTraffic: {
        seconds: round(idleSeconds, 0),
        allRequests: idleAll,
        excludingWatchesAndLeases: idleOther,
        perMinuteExcludingWatchesAndLeases: round((idleOther / idleSeconds) * 60, 1),
        perMinuteLeases: round(
          (Object.entries(idleDelta)
            .filter(([k]) => k.includes(' leases'))
            .reduce((n, [, v]) => n + v, 0) /
            idleSeconds) *
            60,
          1,
        ),
        byKind: idleDelta,
        periodicResyncRequests: resyncRequests,
        // Had every 10-minute periodic resync cost what the restart's resync did (true before the
        // AppliedMemo; after it, a periodic resync re-applies only what changed or came due).
        perMinuteIfEveryResyncCostARestart: round((idleOther / idleSeconds) * 60 + resyncRequests / 10, 1),
        goal: '<= 1 request per second (60 per minute) apart from watches and lease renewals',
      },
      newTypeToFirstAdmission: {
        typeCreateRequestMs: typeCreatedMs,
        admittedMs,
        attempts,
        lastDenial: admittedMs === undefined ? lastDenial : undefined,
        workflowCreatedMs: newTypeWorkflowMs,
        goal: 'none set in the issue; recorded',
      },
    },
    argoStandIn: argoPatches,
    requestsBeforeRestart: before,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `scale-${N}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, `scale-${N}.md`), markdown(results));
  say(`results: test/bench/results/scale-${N}.{json,md}`);
  say(markdown(results));

  argoStop = true;
  sampling = false;
  await Promise.all([argo, sampler]);
  await Promise.all([workflows.stop(), instances.stop()]);
} catch (err) {
  exitCode = 1;
  process.stderr.write(`scale bench failed: ${(err as Error).stack ?? err}\n`);
} finally {
  if (operator?.alive()) {
    operator.child.kill('SIGTERM');
    await Promise.race([operator.exit, sleep(10_000)]);
    if (operator.alive()) operator.child.kill('SIGKILL');
  }
  if (flags.keep) {
    say(
      `--keep: the control plane stays up (node hack/testenv/cli.ts down ${runDir}); kwok pid ${kwokProcs[0]?.pid}`,
    );
  } else {
    await stopProcesses(kwokProcs, 5000);
    await cp.stop();
  }
}
process.exit(exitCode);

function launch(name: string, binary: string, args: string[]) {
  const log = join(runDir, `${name}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  if (!child.pid) throw new Error(`${binary} did not start`);
  // Recorded in the control plane's state too, so `cli.ts down` stops it with the rest.
  const stateFile = join(runDir, 'state.json');
  if (existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { processes: unknown[] };
    state.processes.push({ name, pid: child.pid, binary, log });
    writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  }
  return { name, pid: child.pid, binary, log };
}

function markdown(r: any): string {
  const f = r.figures;
  const yes = (ok: boolean | undefined) => (ok === undefined ? '?' : ok ? 'yes' : 'no');
  const rows: [string, string, string, string][] = [
    [
      'operator RSS, peak',
      `${f.memory.peakRssMB} MB`,
      r.setup.instances <= 1000 ? '≤ 256 MB (1,000)' : '≤ 512 MB (5,000)',
      yes(f.memory.peakRssMB <= (r.setup.instances <= 1000 ? 256 : 512)),
    ],
    [
      'operator RSS, steady (idle, median)',
      `${f.memory.steadyRssMB} MB`,
      r.setup.instances <= 1000 ? '≤ 256 MB (1,000)' : '≤ 512 MB (5,000)',
      yes(f.memory.steadyRssMB <= (r.setup.instances <= 1000 ? 256 : 512)),
    ],
    [
      'operator heap used, steady / peak',
      `${f.memory.steadyHeapUsedMB} / ${f.memory.peakHeapUsedMB} MB`,
      '—',
      '—',
    ],
    [
      'create → workflow created, p50 / p99 (from the create response)',
      `${f.createToWorkflow.fromCreateReturnedMs.p50} / ${f.createToWorkflow.fromCreateReturnedMs.p99} ms`,
      'p99 ≤ 1 s',
      yes(f.createToWorkflow.fromCreateReturnedMs.p99 <= 1000),
    ],
    [
      'create → workflow created, p50 / p99 (from the create request sent)',
      `${f.createToWorkflow.fromRequestSentMs.p50} / ${f.createToWorkflow.fromRequestSentMs.p99} ms`,
      'p99 ≤ 1 s',
      yes(f.createToWorkflow.fromRequestSentMs.p99 <= 1000),
    ],
    [
      'burst start → every instance Running',
      `${f.untilAllRunning.converged ? '' : `NOT all: ${f.untilAllRunning.runningAtEnd}/${r.setup.instances} Running at the cap; last at `}${(f.untilAllRunning.lastRunningAfterMs / 1000).toFixed(1)} s (burst itself ${(f.untilAllRunning.burstDurationMs / 1000).toFixed(1)} s; per instance p50 ${(f.untilAllRunning.perInstanceFromCreateMs.p50 / 1000).toFixed(1)} s, p99 ${(f.untilAllRunning.perInstanceFromCreateMs.p99 / 1000).toFixed(1)} s)${f.untilAllRunning.readyAtEnd === undefined ? '' : `; condition Ready=True on ${f.untilAllRunning.readyBeforeRestart ?? '?'} before the restart, ${f.untilAllRunning.readyAtEnd} at the end, the last at ${((f.untilAllRunning.lastReadyAfterMs ?? 0) / 1000).toFixed(1)} s`}`,
      'per instance ≤ 30 s (NFR)',
      yes(f.untilAllRunning.perInstanceFromCreateMs.p99 <= 30_000),
    ],
    [
      'full resync after a restart (process start → all reconciled, queue empty)',
      `${f.resyncAfterRestart.allReconciledMs === undefined ? `NOT complete at the cap (${f.resyncAfterRestart.reconciledAtCap} reconciles)` : `${(f.resyncAfterRestart.allReconciledMs / 1000).toFixed(1)} s`} (caches synced at ${((f.resyncAfterRestart.cachesSyncedMs ?? 0) / 1000).toFixed(1)} s)`,
      '≤ 30 s (1,000)',
      yes((f.resyncAfterRestart.allReconciledMs ?? Number.POSITIVE_INFINITY) <= 30_000),
    ],
    [
      'webhook, server side (operator histogram), p50 / p99',
      `${f.webhookDuringBurst.webhookServerHistogram.p50Ms} / ${f.webhookDuringBurst.webhookServerHistogram.p99Ms} ms (p99 bucket ${Number.isFinite(f.webhookDuringBurst.webhookServerHistogram.p99BucketUpperMs) ? `≤ ${f.webhookDuringBurst.webhookServerHistogram.p99BucketUpperMs} ms` : 'above the last bound'})`,
      'p99 ≤ 25 ms',
      yes(f.webhookDuringBurst.webhookServerHistogram.p99BucketUpperMs <= 25),
    ],
    [
      'webhook, as the apiserver saw it, p50 / p99',
      `${f.webhookDuringBurst.apiserverWebhookHistogram.p50Ms} / ${f.webhookDuringBurst.apiserverWebhookHistogram.p99Ms} ms (p99 bucket ${Number.isFinite(f.webhookDuringBurst.apiserverWebhookHistogram.p99BucketUpperMs) ? `≤ ${f.webhookDuringBurst.apiserverWebhookHistogram.p99BucketUpperMs} ms` : 'above the last bound'})`,
      'p99 ≤ 25 ms',
      yes(f.webhookDuringBurst.apiserverWebhookHistogram.p99BucketUpperMs <= 25),
    ],
    [
      'instance create at the client, p50 / p99 (ConfigMap baseline)',
      `${f.webhookDuringBurst.clientCreateMs.p50} / ${f.webhookDuringBurst.clientCreateMs.p99} ms (${f.webhookDuringBurst.baselineConfigMapCreateMs.p50} / ${f.webhookDuringBurst.baselineConfigMapCreateMs.p99} ms)`,
      'PRD: p99 < 500 ms',
      yes(f.webhookDuringBurst.clientCreateMs.p99 < 500),
    ],
    [
      'idle API requests per minute, without watches and leases',
      `${f.idleApiTraffic.perMinuteExcludingWatchesAndLeases} measured over ${f.idleApiTraffic.seconds} s${f.untilAllRunning.allReadyBeforeIdle === false ? ', NOT idle: members were still becoming Ready' : ''} (a restart's resync cost ${f.idleApiTraffic.periodicResyncRequests} requests, ${f.idleApiTraffic.perMinuteIfEveryResyncCostARestart}/min if every 10-min resync cost as much); leases ${f.idleApiTraffic.perMinuteLeases}/min`,
      '≤ 60 / min',
      yes(f.idleApiTraffic.perMinuteExcludingWatchesAndLeases <= 60),
    ],
    [
      'new MiddlewareType → first instance admitted',
      f.newTypeToFirstAdmission.admittedMs === undefined
        ? `not admitted in 120 s: ${f.newTypeToFirstAdmission.lastDenial}`
        : `${f.newTypeToFirstAdmission.admittedMs} ms (${f.newTypeToFirstAdmission.attempts} attempts; its workflow at ${f.newTypeToFirstAdmission.workflowCreatedMs} ms)`,
      '—',
      '—',
    ],
  ];
  return [
    `# Scale bench: ${r.setup.instances} instances`,
    '',
    `\`${r.command}\` (test/bench/scale/main.ts), ${r.date}, commit ${r.commit}${r.uncommittedInSrc.length ? `: ${r.uncommittedInSrc.join(', ')}` : ''}.`,
    `Machine: ${r.machine.cores} × ${r.machine.model}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; load average (1/5/15 min) ${r.machine.loadAverage.map((l: { at: string; load: number[] }) => `${l.at} ${l.load.join('/')}`).join('; ')}. The machine is shared with other work.`,
    '',
    `${r.setup.instances} MiddlewareInstances over ${r.setup.namespaces} namespaces and ${r.setup.types.length} types (${r.setup.types.join(', ')}), 1 replica each, created by ${r.setup.concurrency} concurrent clients; ${r.setup.simulatedNodes} simulated nodes.`,
    '',
    '| measurement | figure | goal | met |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Real: ${r.real.join('; ')}.`,
    '',
    `**Simulated**: ${r.simulated.join('; ')}.`,
    '',
    `Idle requests by kind over ${r.figures.idleApiTraffic.seconds} s: ${JSON.stringify(r.figures.idleApiTraffic.byKind)}. A full resync costs ${r.figures.idleApiTraffic.periodicResyncRequests} requests (neither lists, watches nor leases); the informers relist and hand every object to the controllers every 10 minutes.`,
    '',
  ].join('\n');
}
