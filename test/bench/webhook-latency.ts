// Admission webhook latency under concurrent requests (issue 9: PRD p99 < 500 ms; our goal
// p99 < 25 ms on the shared 2-core machine). Not part of `make test`; nothing is asserted here.
//   npm run bench:webhook
//   REQUESTS=1000 CONCURRENCY=8,32 npm run bench:webhook
// The real webhook server (src/webhook/server.ts) over real TLS with the real instance validator:
// the TypeRegistry fed with deploy/plugins/*.yaml, CUE through validateConfig, and the quota check
// over one ResourceQuota held in memory (in the operator that list is one GET to the apiserver,
// which is not what this measures). Each client keeps its TLS connection alive, as the apiserver
// does. A third of the requests are invalid (rejected by CUE or by the quota), and the override
// values vary, so the CUE result cache is not what answers.
// Results: test/bench/results/webhook-latency.{json,md}.
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { V1ResourceQuota } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { MiddlewareInstance, MiddlewareType } from '../../src/api/index.ts';
import { validateConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/log/logger.ts';
import { TypeRegistry } from '../../src/plugins/index.ts';
import { instanceFootprint, scheduledBackupApplies } from '../../src/render/resources.ts';
import { generateServingCert } from '../../src/webhook/certs.ts';
import { checkQuotas } from '../../src/webhook/quota.ts';
import { startWebhookServer } from '../../src/webhook/server.ts';
import { instanceValidator } from '../../src/webhook/validate-instance.ts';

const REQUESTS = Number(process.env.REQUESTS ?? 2000);
const LEVELS = (process.env.CONCURRENCY ?? '8,32').split(',').map(Number);
const WARMUP = 200;
const root = join(import.meta.dirname, '../..');
const resultsDir = join(import.meta.dirname, 'results');

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
  async quotaViolations(instance, plugin) {
    const fp = instanceFootprint({ instance, plugin, backupDue: scheduledBackupApplies(instance) });
    return checkQuotas(fp, [quota]).violations.map((v) => v.message);
  },
});

/** Request i: valid, invalid config, or over quota, with a value that varies. */
function instanceFor(i: number): MiddlewareInstance {
  const kind = i % 3;
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: `bench-${i}`, namespace: 'bench' },
    spec: {
      type: 'redis',
      pluginVersion: 'v1',
      replicas: kind === 2 ? 9 : 3,
      resources: { requests: { cpu: kind === 2 ? '1' : '500m', memory: '1Gi' } },
      storage: { size: '10Gi' },
      config: {
        preset: 'medium',
        overrides:
          kind === 1
            ? { maxclients: 1000 + i, maxmemory: `${i}zb` }
            : { maxclients: 1000 + i, 'maxmemory-policy': 'allkeys-lfu' },
      },
    },
  };
}

const body = (i: number) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `bench-${i}`,
      kind: { group: 'mwop.dev', version: 'v1alpha1', kind: 'MiddlewareInstance' },
      operation: 'CREATE',
      namespace: 'bench',
      object: instanceFor(i),
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

function post(agent: Agent, payload: string): Promise<{ ms: number; allowed: boolean }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/validate/middlewareinstances',
        method: 'POST',
        ca: cert.caPem,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            response: { allowed: boolean };
          };
          resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, allowed: review.response.allowed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const round = (n: number) => Math.round(n * 100) / 100;

/**
 * distinct: every request has values never seen before (CUE evaluates each one; the worst case).
 * repeated: 30 distinct specs over and over, as the apiserver re-sends unchanged specs and
 * controllers re-apply (CUE's result cache answers).
 */
type Scenario = 'distinct' | 'repeated';

async function level(scenario: Scenario, concurrency: number, total: number, offset: number) {
  const agents = Array.from({ length: concurrency }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const times: number[] = [];
  let allowed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    agents.map(async (agent) => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const r = await post(agent, body(scenario === 'distinct' ? offset + i : i % 30));
        times.push(r.ms);
        if (r.allowed) allowed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const a of agents) a.destroy();
  times.sort((a, b) => a - b);
  return {
    scenario,
    concurrency,
    requests: total,
    allowed,
    denied: total - allowed,
    p50Ms: round(quantile(times, 0.5)),
    p90Ms: round(quantile(times, 0.9)),
    p99Ms: round(quantile(times, 0.99)),
    maxMs: round(times[times.length - 1]!),
    throughputPerSecond: Math.round(total / seconds),
  };
}

await level('distinct', 4, WARMUP, 1_000_000); // CUE runtime load, catalog, V8 tiering
const results = [];
let offset = 0;
for (const scenario of ['repeated', 'distinct'] as const) {
  for (const c of LEVELS) {
    const r = await level(scenario, c, REQUESTS, offset);
    offset += REQUESTS;
    results.push(r);
    process.stderr.write(`${JSON.stringify(r)}\n`);
  }
}
await server.close();

const machine = {
  cpus: cpus().length,
  model: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadAverage1m: round(loadavg()[0]!),
  node: process.version,
};
const goalMs = 25;
writeFileSync(
  join(resultsDir, 'webhook-latency.json'),
  `${JSON.stringify({ date: new Date().toISOString(), machine, warmup: WARMUP, goalP99Ms: goalMs, results }, null, 2)}\n`,
);
const rows = results
  .map(
    (r) =>
      `| ${r.scenario} | ${r.concurrency} | ${r.requests} | ${r.allowed}/${r.denied} | ${r.p50Ms} | ${r.p90Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.throughputPerSecond} | ${r.p99Ms < goalMs ? 'yes' : 'no'} |`,
  )
  .join('\n');
writeFileSync(
  join(resultsDir, 'webhook-latency.md'),
  `# Admission webhook latency

\`npm run bench:webhook\` (test/bench/webhook-latency.ts), ${new Date().toISOString().slice(0, 16)}Z.
Machine: ${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, Node ${machine.node}, load average
${machine.loadAverage1m} at the end (the machine is shared with other work).

The real webhook server over TLS (one keep-alive connection per client, as the apiserver keeps),
the real MiddlewareInstance validator: schema, plugin resolution from deploy/plugins, replica
bounds, CUE config validation and rendering, and the quota check over one in-memory ResourceQuota.
One request in three is rejected by the config checks, one in three by the quota. ${WARMUP} warm-up requests first (CUE runtime load, V8 tiering), not counted.

| values | clients | requests | allowed/denied | p50 ms | p90 ms | p99 ms | max ms | req/s | p99 < ${goalMs} ms |
|---|---|---|---|---|---|---|---|---|---|
${rows}

- repeated: 30 distinct specs sent over and over, as unchanged specs come back (controllers
  re-apply, clients retry); CUE's result cache answers, so this is the server, schema, resolution,
  rendering and quota path.
- distinct: every request carries override values never seen before, so CUE evaluates each one
  (about 4 ms of CPU on an idle core, bench:cue); the worst case.

Latency is measured at the client: TLS, HTTP, JSON and validation. With N clients in flight on one
event loop, a request waits for the ones ahead of it, so p50 grows with N at a fixed service time.
The apiserver adds its own round trip on top; in the operator, the quota list is one GET more.
`,
);
