// Fuzzes the MiddlewareInstance admission validator with randomly mutated objects (seeded, so a
// failure replays): wrong types, removed fields, huge strings, negative numbers, unknown keys,
// unicode. The validator runs with its real parts (the registry fed with deploy/plugins/*.yaml,
// CUE through validateConfig). For every object it must answer (no throw, no hang), and it must
// never admit what the oracle (schema, plugin resolution, replica bounds, CUE) calls invalid.
// Objects go through JSON first, as they arrive in an AdmissionReview.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type MiddlewareInstance,
  MiddlewareInstanceKind,
  type MiddlewareType,
  validateAgainstSchema,
} from '../../../src/api/index.ts';
import { useCueWorkers } from '../../../src/config/cue-evaluator.ts';
import { cueRuntime, validateConfig, validateConfigWith } from '../../../src/config/index.ts';
import { TypeRegistry } from '../../../src/plugins/index.ts';
import type { Verdict } from '../../../src/webhook/admission.ts';
import { instanceValidator } from '../../../src/webhook/validate-instance.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const COUNT = Number(process.env.FUZZ_COUNT ?? 1200);
const root = join(import.meta.dirname, '../../..');

const registry = new TypeRegistry();
for (const f of readdirSync(join(root, 'deploy/plugins')).filter((f) => f.endsWith('.yaml')))
  registry.apply('add', parse(readFileSync(join(root, 'deploy/plugins', f), 'utf8')) as MiddlewareType);

const validate = instanceValidator({
  resolve: (t, pv, mv) => registry.resolve(t, pv, mv),
  canUpgrade: (t, from, to) => registry.canUpgrade(t, from, to),
  validateConfig: (plugin, instance) => validateConfig(plugin, instance),
  quotaViolations: async () => [],
});

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}

const base = (type: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'mwop.dev/v1alpha1',
  kind: 'MiddlewareInstance',
  metadata: { name: `fuzz-${type}`, namespace: 'fuzz', labels: { team: 'a' } },
  spec: {
    type,
    pluginVersion: 'v1',
    replicas: 3,
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
    storage: { size: '10Gi', storageClassName: 'fast' },
    serviceType: 'ClusterIP',
    config: { preset: 'medium', overrides: {} },
    backup: { schedule: '0 3 * * *', storage: 's3' },
    ...extra,
  },
});

const SEEDS = [
  base('redis', {
    config: { preset: 'small', overrides: { maxclients: 2000, 'maxmemory-policy': 'allkeys-lru' } },
  }),
  base('redis', { pluginVersion: 'v2', replicas: 1 }),
  base('mysql', { config: { preset: 'medium', overrides: { max_connections: 300 } } }),
  base('kafka', { config: { preset: 'medium', overrides: { 'num.partitions': 6 } } }),
  base('elasticsearch'),
];

const UNICODE = ['💥', 'ﬀ', 'é', '\u202e', '\u200b', '\u0000', 'Ω≈ç√', '𝕳𝖊𝖑𝖑𝖔', '日本語', '\ud83d'];

function randomValue(r: ReturnType<typeof prng>): unknown {
  switch (r.int(12)) {
    case 0:
      return -r.int(1_000_000) - 1;
    case 1:
      return r.next() * 1e12;
    case 2:
      return 'x'.repeat(r.pick([256, 4096, 70_000]));
    case 3:
      return r.pick(UNICODE).repeat(1 + r.int(50));
    case 4:
      return null;
    case 5:
      return r.next() < 0.5;
    case 6:
      return [];
    case 7:
      return { [r.pick(UNICODE)]: r.int(10) };
    case 8:
      return '';
    case 9:
      return 0;
    case 10:
      return [r.int(5), 'a', null];
    default:
      return String(r.int(100_000));
  }
}

/** Every path into the object, so any field can be hit. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) paths(x, [...prefix, i], out);
  } else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function mutate(obj: Record<string, unknown>, r: ReturnType<typeof prng>): string {
  const all = paths(obj).filter((p) => p.length > 0);
  const path = r.pick(all);
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1]!;
  let parent: any = obj;
  for (const p of parentPath) parent = parent[p];
  const kind = r.int(8);
  switch (kind) {
    case 0:
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return `remove ${path.join('.')}`;
    case 1: {
      const cur = parent[key];
      parent[key] =
        typeof cur === 'number'
          ? String(cur)
          : typeof cur === 'string'
            ? cur.length
            : cur === null
              ? {}
              : r.next() < 0.5
                ? 'oops'
                : 7;
      return `retype ${path.join('.')}`;
    }
    case 2:
      parent[key] = -Math.abs(typeof parent[key] === 'number' ? parent[key] || 1 : r.int(100) + 1);
      return `negate ${path.join('.')}`;
    case 3: {
      const target =
        parent[key] && typeof parent[key] === 'object' && !Array.isArray(parent[key]) ? parent[key] : parent;
      target[`${r.pick(['unknown', 'x-extra', 'maxmemory', 'spec', '__proto__x'])}${r.pick(UNICODE)}`] =
        randomValue(r);
      return `unknown key under ${path.join('.')}`;
    }
    case 4: {
      // A config key with a random value: the part CUE judges.
      const spec = obj.spec as any;
      if (spec && typeof spec === 'object') {
        spec.config = spec.config && typeof spec.config === 'object' ? spec.config : {};
        spec.config.overrides =
          spec.config.overrides && typeof spec.config.overrides === 'object' ? spec.config.overrides : {};
        const key2 = r.pick([
          'maxclients',
          'maxmemory',
          'maxmemory-policy',
          'max_connections',
          'num.partitions',
          'timeout',
          'appendonly',
          'thread_pool.search.queue_size',
          'nope',
        ]);
        spec.config.overrides[key2] = randomValue(r);
        return `config ${key2}`;
      }
      parent[key] = randomValue(r);
      return `value ${path.join('.')}`;
    }
    default:
      parent[key] = randomValue(r);
      return `value ${path.join('.')}`;
  }
}

/** What the validator's verdict must agree with, computed from the same real parts. */
async function oracleValid(obj: unknown): Promise<boolean> {
  if (validateAgainstSchema(MiddlewareInstanceKind, obj).length > 0) return false;
  const raw = obj as MiddlewareInstance;
  // The request's namespace, as the apiserver sets it on a namespaced object.
  const instance = raw.metadata?.namespace
    ? raw
    : { ...raw, metadata: { ...raw.metadata, namespace: 'fuzz' } };
  const spec = instance.spec;
  let plugin: ReturnType<TypeRegistry['resolve']>;
  try {
    plugin = registry.resolve(spec.type, spec.pluginVersion, spec.middlewareVersion);
  } catch {
    return false;
  }
  const replicas = spec.replicas ?? 1;
  const { minReplicas, maxReplicas } = plugin.version.scalingRules;
  if (replicas < minReplicas || replicas > maxReplicas) return false;
  // CUE asked afresh: not the outcome the validator's evaluator remembered or batched.
  return validateConfigWith(await cueRuntime(), plugin, instance, { fresh: true }).ok;
}

const answerWithin = (p: Promise<Verdict>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
  ]);

describe('instance admission fuzz', () => {
  it(`answers ${COUNT} randomly mutated instances (seed ${SEED}) and never admits an invalid one`, async () => {
    const r = prng(SEED);
    let admitted = 0;
    let denied = 0;
    const wrong: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const obj = structuredClone(r.pick(SEEDS));
      const applied: string[] = [];
      for (let m = 1 + r.int(3); m > 0; m--) applied.push(mutate(obj, r));
      const wire = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
      let verdict: Verdict;
      try {
        verdict = await answerWithin(
          Promise.resolve(
            validate({
              uid: `fuzz-${i}`,
              kind: { group: 'mwop.dev', version: 'v1alpha1', kind: 'MiddlewareInstance' },
              operation: 'CREATE',
              namespace: 'fuzz',
              object: wire,
            }),
          ),
          10_000,
        );
      } catch (err) {
        wrong.push(`#${i} [${applied.join('; ')}]: ${(err as Error).message}`);
        continue;
      }
      if (verdict.allowed) {
        admitted++;
        if (!(await oracleValid(wire))) wrong.push(`#${i} [${applied.join('; ')}]: admitted but invalid`);
      } else {
        denied++;
        if (typeof verdict.message !== 'string' || verdict.message.length === 0)
          wrong.push(`#${i} [${applied.join('; ')}]: denied without a message`);
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(admitted + denied).toBe(COUNT);
    expect(COUNT).toBeGreaterThanOrEqual(1000);
    // The mutations must exercise both answers, or the fuzz proves nothing.
    expect(admitted).toBeGreaterThan(50);
    expect(denied).toBeGreaterThan(200);
    process.stderr.write(`fuzz: ${COUNT} objects, ${admitted} admitted, ${denied} denied, seed ${SEED}\n`);
  }, 600_000);

  describe('32 at a time, CUE in a worker thread and in batches (as the webhook server runs it)', () => {
    afterAll(() => useCueWorkers(0));

    it('never admits an invalid one either', async () => {
      await useCueWorkers(1).warm();
      const r = prng(SEED + 1);
      const total = Math.max(400, Math.floor(COUNT / 3));
      const wrong: string[] = [];
      let admitted = 0;
      for (let start = 0; start < total; start += 32) {
        const wires = Array.from({ length: Math.min(32, total - start) }, () => {
          const obj = structuredClone(r.pick(SEEDS));
          for (let m = 1 + r.int(3); m > 0; m--) mutate(obj, r);
          return JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
        });
        const all = Promise.all(
          wires.map((object, j) =>
            validate({
              uid: `fuzz-c-${start + j}`,
              kind: { group: 'mwop.dev', version: 'v1alpha1', kind: 'MiddlewareInstance' },
              operation: 'CREATE',
              namespace: 'fuzz',
              object,
            }),
          ),
        );
        // Every answer within a minute (the whole group of 32), or this throws.
        await answerWithin(
          all.then((v) => v[0]!),
          60_000,
        );
        const verdicts = await all;
        for (let j = 0; j < wires.length; j++) {
          if (!verdicts[j]!.allowed) continue;
          admitted++;
          if (!(await oracleValid(wires[j]))) wrong.push(`#${start + j}: admitted but invalid`);
        }
      }
      expect(wrong.slice(0, 20)).toEqual([]);
      expect(admitted).toBeGreaterThan(20);
      process.stderr.write(`fuzz (concurrent): ${total} objects, ${admitted} admitted\n`);
    }, 600_000);
  });
});
