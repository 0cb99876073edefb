// Admission webhook latency under concurrent requests (issue 9: PRD p99 < 500 ms; our goal
// p99 < 25 ms on the shared 2-core machine). Not part of `make test`; nothing is asserted here.
//   npm run bench:webhook
//   REQUESTS=1000 CONCURRENCY=1,8,32 RATES=5,10,25 RATE_SECONDS=15 WARMUP_SECONDS=30 BENCH_LABEL=after npm run bench:webhook
// The real webhook server (src/webhook/server.ts, with its CUE worker) runs in a child process of
// its own, as in the operator, so the clients' TLS and JSON work is not on its event loop. It
// serves the real instance validator: the TypeRegistry fed with deploy/plugins/*.yaml, CUE
// through validateConfig, and the quota check over one ResourceQuota held in memory (in the
// operator that list is one GET to the apiserver, which is not what this measures). Each client
// keeps its TLS connection alive, as the apiserver does.
// The requests are a mix, and every config value is new (a cache cannot answer the creates):
// creates of redis, mysql and kafka instances with config values never sent before (some over
// quota, some with an invalid value, some breaking a CUE rule across keys), and updates: a config
// change (new values), a scale (config unchanged), a label change and a status write.
// Each run is appended to test/bench/results/webhook-latency.json (BENCH_RESET=1 starts afresh;
// BENCH_RESULTS_DIR, BENCH_LABEL and BENCH_COMMIT for a run of an older tree with this file),
// and webhook-latency.md shows every run recorded there.
import { execFileSync, fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { V1ResourceQuota } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { MiddlewareInstance, MiddlewareType } from '../../src/api/index.ts';

const root = join(import.meta.dirname, '../..');

// ---------------------------------------------------------------- the server (child process)

async function serve() {
  const { validateConfig } = await import('../../src/config/index.ts');
  const { createLogger } = await import('../../src/log/logger.ts');
  const { TypeRegistry } = await import('../../src/plugins/index.ts');
  const { instanceFootprint, scheduledBackupApplies } = await import('../../src/render/resources.ts');
  const { generateServingCert } = await import('../../src/webhook/certs.ts');
  const { checkQuotas } = await import('../../src/webhook/quota.ts');
  const { startWebhookServer } = await import('../../src/webhook/server.ts');
  const { instanceValidator } = await import('../../src/webhook/validate-instance.ts');
  // Absent before the CUE evaluator existed; the benchmark also runs against older trees.
  const evaluator = await import('../../src/config/cue-evaluator.ts').catch(() => undefined);

  const registry = new TypeRegistry();
  for (const t of ['redis', 'mysql', 'kafka', 'elasticsearch'])
    registry.apply(
      'add',
      parse(readFileSync(join(root, 'deploy/plugins', `${t}.yaml`), 'utf8')) as MiddlewareType,
    );
  const quota: V1ResourceQuota = {
    metadata: { name: 'team' },
    spec: { hard: { 'requests.cpu': '8', 'requests.memory': '16Gi', pods: '20' } },
    status: {
      hard: { 'requests.cpu': '8', 'requests.memory': '16Gi', pods: '20' },
      used: { 'requests.cpu': '2', 'requests.memory': '4Gi', pods: '4' },
    },
  };
  const validator = instanceValidator({
    resolve: (t, pv, mv) => registry.resolve(t, pv, mv),
    canUpgrade: (t, from, to) => registry.canUpgrade(t, from, to),
    validateConfig: (plugin, instance) => validateConfig(plugin, instance),
    async quotaViolations(instance, plugin, old) {
      const footprint = (i: MiddlewareInstance) =>
        instanceFootprint({ instance: i, plugin, backupDue: scheduledBackupApplies(i) });
      const current = old ? footprint(old) : undefined;
      return checkQuotas(footprint(instance), [quota], current ? { current } : {}).violations.map(
        (v) => v.message,
      );
    },
  });
  const cert = await generateServingCert({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const server = await startWebhookServer({
    port: 0,
    host: '127.0.0.1',
    cert,
    log: createLogger({ level: 'silent' }),
    validators: { MiddlewareInstance: validator },
  });
  process.on('disconnect', () => process.exit(0)); // the benchmark is gone
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'stats') {
      process.send!({
        type: 'stats',
        rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
        cue: evaluator?.cueEvaluator().stats(),
      });
    } else if (m.type === 'stop') {
      await server.close();
      process.exit(0);
    }
  });
  // Ready when the CUE runtimes are loaded (this thread's for the catalogs, and the worker's).
  await Promise.all([
    evaluator?.cueEvaluator().warm(),
    ...['redis', 'mysql', 'kafka'].map((t) =>
      validateConfig(registry.resolve(t, 'v1'), {
        apiVersion: 'mwop.dev/v1alpha1',
        kind: 'MiddlewareInstance',
        metadata: { name: 'warm', namespace: 'bench' },
        spec: { type: t, pluginVersion: 'v1', storage: { size: '1Gi' } },
      }),
    ),
  ]);
  process.send!({ type: 'ready', port: server.port, caPem: cert.caPem });
}

// ---------------------------------------------------------------- the clients

/** What kind of request, and how often in 20. */
const MIX = [
  ['create', 9], // a valid config never seen before (one in nine over quota)
  ['create-invalid', 2], // a value the field checks refuse
  ['create-rule', 1], // a kafka config breaking a rule across keys: only CUE sees it
  ['update-config', 4], // new config values on an existing instance
  ['update-scale', 2], // replicas change, config unchanged
  ['update-labels', 1], // metadata only
  ['update-status', 1], // status only
] as const;
type Kind = (typeof MIX)[number][0];
const KINDS: Kind[] = MIX.flatMap(([k, n]) => Array<Kind>(n).fill(k));

const TYPES = ['redis', 'mysql', 'kafka'] as const;

/** A valid config for `type`, with values that differ for every n. */
function configFor(type: (typeof TYPES)[number], n: number): Record<string, unknown> {
  switch (type) {
    case 'redis':
      return {
        maxclients: 1 + (n % 64_000),
        maxmemory: `${64 + (n % 4096)}mb`,
        'maxmemory-policy': ['allkeys-lfu', 'allkeys-lru', 'noeviction'][n % 3],
        timeout: n % 3600,
      };
    case 'mysql':
      return {
        max_connections: 1 + (n % 99_999),
        innodb_buffer_pool_size: `${128 + (n % 8192)}M`,
        long_query_time: (n % 1000) / 10,
      };
    case 'kafka':
      return {
        'num.partitions': 1 + (n % 9_999),
        'log.retention.hours': 1 + (n % 8760),
        'default.replication.factor': 3,
        'min.insync.replicas': 2,
      };
  }
}

function instanceFor(n: number, kind: Kind): MiddlewareInstance {
  const type = kind === 'create-rule' ? 'kafka' : TYPES[n % 3]!;
  const overrides = configFor(type, n);
  if (kind === 'create-invalid') overrides[type === 'mysql' ? 'innodb_buffer_pool_size' : 'nope'] = `${n}zb`;
  if (kind === 'create-rule') overrides['min.insync.replicas'] = 4 + (n % 5); // > replication factor 3
  const overQuota = kind === 'create' && n % 9 === 0;
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: `bench-${n}`, namespace: 'bench', uid: `uid-${n}`, labels: { team: 'bench' } },
    spec: {
      type,
      pluginVersion: 'v1',
      replicas: overQuota ? 9 : 3,
      resources: { requests: { cpu: overQuota ? '1' : '250m', memory: '512Mi' } },
      storage: { size: '10Gi' },
      config: { overrides },
    },
  };
}

/** The AdmissionReview for request n; updates change an instance created earlier in the run. */
function reviewFor(n: number, base: number): { body: string; kind: Kind } {
  const kind = KINDS[n % KINDS.length]!;
  let object: MiddlewareInstance;
  let oldObject: MiddlewareInstance | undefined;
  if (kind.startsWith('create')) {
    object = instanceFor(base + n, kind);
  } else {
    // The instance of a valid create 20 to 40 requests back (already answered when the clients
    // keep their order), so the old object's config was seen: as after a real create.
    const created = n - 20 - (n % 20) + KINDS.indexOf('create');
    oldObject = instanceFor(base + created, 'create');
    oldObject.spec.replicas = 3;
    object = structuredClone(oldObject);
    if (kind === 'update-config') {
      object.spec.config = { overrides: configFor(object.spec.type as (typeof TYPES)[number], base + n) };
    } else if (kind === 'update-scale') {
      object.spec.replicas = 5;
    } else if (kind === 'update-labels') {
      object.metadata.labels = { team: 'bench', tier: `t${n}` };
    } else {
      object.status = { phase: 'Running', observedGeneration: n } as MiddlewareInstance['status'];
    }
  }
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `bench-${base + n}`,
      kind: { group: 'mwop.dev', version: 'v1alpha1', kind: 'MiddlewareInstance' },
      resource: { group: 'mwop.dev', version: 'v1alpha1', resource: 'middlewareinstances' },
      operation: oldObject ? 'UPDATE' : 'CREATE',
      namespace: 'bench',
      name: object.metadata.name,
      userInfo: { username: 'alice', groups: ['system:authenticated'] },
      object,
      ...(oldObject ? { oldObject } : {}),
    },
  });
  return { body, kind };
}

function post(
  agent: Agent,
  port: number,
  caPem: string,
  payload: string,
): Promise<{ ms: number; allowed: boolean; failed: boolean }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/validate/middlewareinstances',
        method: 'POST',
        ca: caPem,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            response: { allowed: boolean; status?: { code: number; message: string } };
          };
          const code = review.response.status?.code;
          resolve({
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            allowed: review.response.allowed,
            // The server's own deadline (504) or a crash (500): a failure, not a verdict.
            failed: code === 500 || code === 504,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : Number.NaN;
const round = (n: number) => Math.round(n * 100) / 100;
const load = () => round(loadavg()[0]!);

function summary(times: number[]) {
  const s = [...times].sort((a, b) => a - b);
  return {
    p50Ms: round(quantile(s, 0.5)),
    p95Ms: round(quantile(s, 0.95)),
    p99Ms: round(quantile(s, 0.99)),
    maxMs: round(s[s.length - 1] ?? Number.NaN),
  };
}

async function level(port: number, caPem: string, concurrency: number, total: number, base: number) {
  const agents = Array.from({ length: concurrency }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const times: number[] = [];
  const byKind = new Map<Kind, number[]>();
  let allowed = 0;
  let failed = 0;
  let next = 0;
  const loadBefore = load();
  const started = performance.now();
  await Promise.all(
    agents.map(async (agent) => {
      for (;;) {
        const n = next++;
        if (n >= total) return;
        const { body, kind } = reviewFor(n, base);
        const r = await post(agent, port, caPem, body);
        times.push(r.ms);
        if (!byKind.has(kind)) byKind.set(kind, []);
        byKind.get(kind)!.push(r.ms);
        if (r.allowed) allowed++;
        if (r.failed) failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const a of agents) a.destroy();
  return {
    concurrency,
    requests: total,
    allowed,
    denied: total - allowed,
    /** Answered 500 or 504 (the server's 4 s deadline): counted in denied and in the times. */
    failed,
    ...summary(times),
    throughputPerSecond: Math.round(total / seconds),
    loadAverage1m: { before: loadBefore, after: load() },
    byKind: Object.fromEntries(
      MIX.map(([k]) => [k, { requests: byKind.get(k)?.length ?? 0, ...summary(byKind.get(k) ?? []) }]),
    ),
  };
}

/**
 * An open loop: request n is due at n / rate seconds, whether or not earlier ones are answered
 * (up to 64 connections), and its latency counts from when it was due, so a server that falls
 * behind shows it in full. This is how a create burst reaches the webhook: the apiserver calls
 * it as creates arrive, not when the last answer came back.
 */
async function rateLevel(port: number, caPem: string, rate: number, total: number, base: number) {
  const free = Array.from({ length: 64 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const all = [...free];
  const waiting: Array<(a: Agent) => void> = [];
  const take = () =>
    free.length > 0 ? Promise.resolve(free.pop()!) : new Promise<Agent>((r) => waiting.push(r));
  const give = (a: Agent) => {
    const w = waiting.shift();
    if (w) w(a);
    else free.push(a);
  };
  const times: number[] = [];
  const byKind = new Map<Kind, number[]>();
  let allowed = 0;
  let failed = 0;
  const loadBefore = load();
  const started = performance.now();
  const tasks: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    tasks.push(
      (async () => {
        const agent = await take();
        const { body, kind } = reviewFor(n, base);
        const r = await post(agent, port, caPem, body);
        give(agent);
        const ms = performance.now() - due;
        times.push(ms);
        if (!byKind.has(kind)) byKind.set(kind, []);
        byKind.get(kind)!.push(ms);
        if (r.allowed) allowed++;
        if (r.failed) failed++;
      })(),
    );
  }
  await Promise.all(tasks);
  const seconds = (performance.now() - started) / 1000;
  for (const a of all) a.destroy();
  return {
    ratePerSecond: rate,
    requests: total,
    allowed,
    denied: total - allowed,
    failed,
    ...summary(times),
    throughputPerSecond: Math.round(total / seconds),
    loadAverage1m: { before: loadBefore, after: load() },
    byKind: Object.fromEntries(
      MIX.map(([k]) => [k, { requests: byKind.get(k)?.length ?? 0, ...summary(byKind.get(k) ?? []) }]),
    ),
  };
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src/webhook', 'src/config'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head} (src/webhook or src/config modified)` : head;
  } catch {
    return 'unknown';
  }
}

async function main() {
  const REQUESTS = Number(process.env.REQUESTS ?? 1000);
  const LEVELS = (process.env.CONCURRENCY ?? '1,8,32').split(',').map(Number);
  const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 30);
  const resultsDir = process.env.BENCH_RESULTS_DIR ?? join(import.meta.dirname, 'results');
  const label = process.env.BENCH_LABEL ?? 'run';

  const child = fork(import.meta.filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(type: string, want: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== want) return;
        child.off('message', onMessage);
        resolve(m as T);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`webhook server exited with ${code}`)));
      if (type) child.send({ type });
    });
  const { port, caPem } = await ask<{ port: number; caPem: string }>('', 'ready');

  // Warm-up, not counted: catalogs, and V8 tiering cue-wasm's code up, which takes hundreds of
  // CUE calls (a cold runtime evaluates several times slower; bench:cue shows the curve).
  const warmEnd = performance.now() + WARMUP_SECONDS * 1000;
  let warmed = 0;
  for (let b = 10_000_000; performance.now() < warmEnd; b += 1_000_000) {
    await level(port, caPem, 8, 100, b);
    warmed += 100;
  }
  const results = [];
  let base = 0;
  for (const c of LEVELS) {
    const r = await level(port, caPem, c, REQUESTS, base);
    base += 1_000_000;
    results.push(r);
    const { byKind: _k, ...line } = r;
    process.stderr.write(`${JSON.stringify(line)}\n`);
  }
  const RATES = (process.env.RATES ?? '5,10,25').split(',').filter(Boolean).map(Number);
  const RATE_SECONDS = Number(process.env.RATE_SECONDS ?? 15);
  const rates = [];
  for (const rate of RATES) {
    const r = await rateLevel(port, caPem, rate, Math.round(rate * RATE_SECONDS), base);
    base += 1_000_000;
    rates.push(r);
    const { byKind: _k, ...line } = r;
    process.stderr.write(`${JSON.stringify(line)}\n`);
  }
  const server = await ask<{ rssMiB: number; cue?: unknown }>('stats', 'stats');
  child.send({ type: 'stop' });

  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const run = {
    label,
    date: new Date().toISOString(),
    commit: process.env.BENCH_COMMIT ?? commit(),
    machine,
    requestsPerLevel: REQUESTS,
    warmup: { seconds: WARMUP_SECONDS, requests: warmed },
    server: { rssMiB: server.rssMiB, cue: server.cue ?? null },
    results,
    rates,
  };
  const jsonPath = join(resultsDir, 'webhook-latency.json');
  let runs: (typeof run)[] = [];
  if (!process.env.BENCH_RESET && existsSync(jsonPath)) {
    const old = JSON.parse(readFileSync(jsonPath, 'utf8')) as { runs?: (typeof run)[] };
    runs = old.runs ?? [];
  }
  runs.push(run);
  writeFileSync(jsonPath, `${JSON.stringify({ goalP99Ms: 25, prdP99Ms: 500, runs }, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'webhook-latency.md'), markdown(runs));
}

function markdown(runs: Array<Record<string, any>>): string {
  const table = (run: Record<string, any>) =>
    [
      '| clients | requests | allowed/denied (failed) | p50 ms | p95 ms | p99 ms | max ms | req/s | load 1m before → after | p99 < 25 ms | p99 < 500 ms |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...run.results.map(
        (r: any) =>
          `| ${r.concurrency} | ${r.requests} | ${r.allowed}/${r.denied}${r.failed ? ` (${r.failed} failed)` : ''} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.throughputPerSecond} | ${r.loadAverage1m.before} → ${r.loadAverage1m.after} | ${r.p99Ms < 25 ? 'yes' : 'no'} | ${r.p99Ms < 500 ? 'yes' : 'no'} |`,
      ),
      '',
      ...(run.rates?.length
        ? [
            'Open loop, requests sent at a fixed rate (latency from when each was due):',
            '',
            '| rate req/s | requests | allowed/denied (failed) | p50 ms | p95 ms | p99 ms | max ms | load 1m before → after | p99 < 25 ms | p99 < 500 ms |',
            '|---|---|---|---|---|---|---|---|---|---|',
            ...run.rates.map(
              (r: any) =>
                `| ${r.ratePerSecond} | ${r.requests} | ${r.allowed}/${r.denied}${r.failed ? ` (${r.failed} failed)` : ''} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.loadAverage1m.before} → ${r.loadAverage1m.after} | ${r.p99Ms < 25 ? 'yes' : 'no'} | ${r.p99Ms < 500 ? 'yes' : 'no'} |`,
            ),
            '',
          ]
        : []),
      'Closed loop, p50 / p99 ms by kind of request:',
      '',
      `| clients | ${MIX.map(([k]) => k).join(' | ')} |`,
      `|---|${MIX.map(() => '---').join('|')}|`,
      ...run.results.map(
        (r: any) =>
          `| ${r.concurrency} | ${MIX.map(([k]) => `${r.byKind[k].p50Ms} / ${r.byKind[k].p99Ms}`).join(' | ')} |`,
      ),
    ].join('\n');
  const sections = runs.map((run) => {
    const cue = run.server.cue;
    return `## ${run.label}: ${run.date.slice(0, 16)}Z, commit ${run.commit}

${run.machine.cpus} × ${run.machine.model}, ${run.machine.memoryGiB} GiB, Node ${run.machine.node}.
Warm-up: ${typeof run.warmup === 'number' ? `${run.warmup} requests` : `${run.warmup.requests} requests in ${run.warmup.seconds} s`}.
Server RSS at the end: ${run.server.rssMiB} MiB${
      cue
        ? `; CUE: ${cue.workers} worker(s), ${cue.calls} CUE calls for ${cue.configs} configs, cache ${cue.cache.hits} hits / ${cue.cache.misses} misses, ${cue.shared} shared, ${cue.splits} batches split`
        : '; no CUE evaluator (before it existed)'
    }.

${table(run)}
`;
  });
  return `# Admission webhook latency

\`npm run bench:webhook\` (test/bench/webhook-latency.ts). Every run recorded in
webhook-latency.json, oldest first. The machine is shared with other work (Go builds, other
test control planes); the 1-minute load average before and after each level is in the table:
on 2 cores, a load of 20 means this benchmark gets a small share of the CPU.

The real webhook server in a child process (src/webhook/server.ts; with its CUE worker where the
code has one), over TLS with one keep-alive connection per client, as the apiserver keeps; the
real MiddlewareInstance validator: schema, plugin resolution from deploy/plugins, replica bounds,
CUE config validation and rendering, and the quota check over one in-memory ResourceQuota.
Closed loop: each client sends its next request as soon as it has the answer, so at N clients N
requests are always in flight, and latency is N divided by throughput. Open loop: requests are
sent at a fixed rate whatever the answers, as the apiserver calls the webhook while creates
arrive; latency counts from when a request was due. First a warm-up at 8 clients, not counted
(its length is in each run's heading): V8 needs hundreds of CUE calls to tier cue-wasm's code up,
and until then CUE is several times slower.

The mix, per 20 requests (every config value is new, so no cache answers a create):
${MIX.map(([k, n]) => `${n} ${k}`).join(', ')}. create: a redis, mysql or kafka instance with
config values never sent before (one in nine over quota, refused 403); create-invalid: a value the
field checks refuse; create-rule: a kafka config breaking a rule across keys, which only CUE sees;
update-config: new config values; update-scale: replicas 3 → 5, config unchanged; update-labels and
update-status: spec unchanged.

${sections.join('\n')}`;
}

if (process.argv[2] === '--serve') await serve();
else await main();
