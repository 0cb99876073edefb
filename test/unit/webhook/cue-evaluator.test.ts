// The remembered CUE outcomes behind admission (src/config/cue-evaluator.ts, src/config/lru.ts):
// a hit is exact, a changed config is evaluated again, the bound evicts the entry used longest
// ago, batches give exactly what single evaluations give (error text included), and the worker
// thread answers as the in-process runtime does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareTypeVersion } from '../../../src/api/index.ts';
import { CueEvaluator, type CueJob, cueEvaluator, singleSource } from '../../../src/config/cue-evaluator.ts';
import { cueRuntime, validateConfig } from '../../../src/config/index.ts';
import { Lru } from '../../../src/config/lru.ts';
import type { ResolvedPlugin } from '../../../src/plugins/types.ts';

const SCHEMA = `
#Config: {
	min: int & >=0 | *1
	max: int & >=0 | *10
	mode: *"fast" | "safe"
}
_#Rules: {
	M=max: _
	min: <=M
	...
}
`;
const EXPR = '#Config & _#Rules';
const evaluatorModule = fileURLToPath(new URL('../../../src/config/cue-evaluator.ts', import.meta.url));
const job = (values: Record<string, unknown>): CueJob => ({
  schema: SCHEMA,
  expr: EXPR,
  values: JSON.stringify(values),
});

/** What one evaluation of its own gives: the reference for every other path. */
async function single(j: CueJob) {
  try {
    const json = (await cueRuntime()).toJSON(singleSource(j));
    return { ok: true, values: JSON.parse(json).mwopInstanceConfig };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

beforeAll(async () => {
  await cueRuntime();
}, 120_000);

describe('Lru', () => {
  it('counts hits and misses, and evicts the entry used longest ago, not the oldest', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3); // evicts b
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
    expect({ hits: lru.hits, misses: lru.misses, evictions: lru.evictions }).toEqual({
      hits: 3,
      misses: 1,
      evictions: 1,
    });
  });

  it('replaces a value without evicting and refuses a bound below one', () => {
    const lru = new Lru<string, number>(1);
    lru.set('a', 1);
    lru.set('a', 2);
    expect(lru.get('a')).toBe(2);
    expect(lru.evictions).toBe(0);
    expect(() => new Lru(0)).toThrow(/positive integer/);
  });
});

describe('CueEvaluator', () => {
  it('evaluates a miss, answers the same job from the cache, and gives each caller its own copy', async () => {
    const ev = new CueEvaluator({ workers: 0 });
    const first = await ev.evaluate(job({ min: 2 }));
    expect(first).toEqual(await single(job({ min: 2 })));
    expect(first).toEqual({ ok: true, values: { min: 2, max: 10, mode: 'fast' } });
    if (first.ok) first.values.min = 99;
    const again = await ev.evaluate(job({ min: 2 }));
    expect(again).toEqual({ ok: true, values: { min: 2, max: 10, mode: 'fast' } });
    expect(ev.stats()).toMatchObject({ calls: 1, configs: 1, cache: { hits: 1, misses: 1, size: 1 } });
  }, 60_000);

  it('evaluates a changed config again: valid before is no answer for the new values', async () => {
    const ev = new CueEvaluator({ workers: 0 });
    expect((await ev.evaluate(job({ min: 2, max: 5 }))).ok).toBe(true);
    const changed = await ev.evaluate(job({ min: 6, max: 5 }));
    expect(changed).toEqual(await single(job({ min: 6, max: 5 })));
    expect(changed.ok).toBe(false);
    // The error is remembered too, and given again as is.
    expect(await ev.evaluate(job({ min: 6, max: 5 }))).toEqual(changed);
    expect(ev.stats()).toMatchObject({ calls: 2, cache: { hits: 1, misses: 2 } });
  }, 60_000);

  it('keeps at most cacheSize outcomes and evaluates an evicted one again', async () => {
    const ev = new CueEvaluator({ workers: 0, cacheSize: 2 });
    await ev.evaluate(job({ min: 1 }));
    await ev.evaluate(job({ min: 2 }));
    await ev.evaluate(job({ min: 1 })); // hit: min 1 becomes the most recent
    await ev.evaluate(job({ min: 3 })); // evicts min 2
    expect(ev.stats()).toMatchObject({ calls: 3, cache: { size: 2, evictions: 1 } });
    await ev.evaluate(job({ min: 1 })); // still there
    expect(ev.stats().calls).toBe(3);
    await ev.evaluate(job({ min: 2 })); // evicted: evaluated again
    expect(ev.stats().calls).toBe(4);
  }, 60_000);

  it('shares one evaluation between concurrent requests for the same values', async () => {
    const ev = new CueEvaluator({ workers: 0 });
    const [a, b] = await Promise.all([ev.evaluate(job({ min: 4 })), ev.evaluate(job({ min: 4 }))]);
    expect(a).toEqual(b);
    expect(ev.stats()).toMatchObject({ shared: 1, configs: 1 });
  }, 60_000);

  it('evaluates concurrent configs in one batch, each with exactly its single outcome', async () => {
    const ev = new CueEvaluator({ workers: 0 });
    const jobs = [0, 1, 2, 3, 4].map((i) => job({ min: i, mode: i % 2 ? 'safe' : 'fast' }));
    const outcomes = await Promise.all(jobs.map((j) => ev.evaluate(j)));
    for (let i = 0; i < jobs.length; i++) expect(outcomes[i]).toEqual(await single(jobs[i]!));
    expect(ev.stats()).toMatchObject({ calls: 1, configs: 5, splits: 0 });
  }, 60_000);

  it('takes the config CUE names out of a failed batch, so a broken rule gets the single error text', async () => {
    const ev = new CueEvaluator({ workers: 0 });
    const jobs = [job({ min: 1 }), job({ min: 20 }), job({ min: 3, max: 4 })];
    const outcomes = await Promise.all(jobs.map((j) => ev.evaluate(j)));
    for (let i = 0; i < jobs.length; i++) expect(outcomes[i]).toEqual(await single(jobs[i]!));
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    if (!outcomes[1]!.ok) expect(outcomes[1]!.error).toMatch(/^mwopInstanceConfig\.min/);
    // The batch, the named config alone, the other two as a batch again.
    expect(ev.stats()).toMatchObject({ splits: 1, calls: 3, configs: 6 });
  }, 60_000);

  it('gives every broken config of a batch its own error', async () => {
    const ev = new CueEvaluator({ workers: 0 });
    const jobs = [
      job({ min: 11 }),
      job({ min: 2 }),
      job({ min: 12 }),
      job({ mode: 'slow' }),
      job({ min: 4 }),
    ];
    const outcomes = await Promise.all(jobs.map((j) => ev.evaluate(j)));
    for (let i = 0; i < jobs.length; i++) expect(outcomes[i]).toEqual(await single(jobs[i]!));
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false, false, true]);
  }, 60_000);

  it('limits a batch to maxBatch configs', async () => {
    const ev = new CueEvaluator({ workers: 0, maxBatch: 2 });
    await Promise.all([5, 6, 7].map((i) => ev.evaluate(job({ min: i }))));
    expect(ev.stats()).toMatchObject({ calls: 2, configs: 3 });
  }, 60_000);

  it('answers in this thread while its worker is still loading', async () => {
    const ev = new CueEvaluator({ workers: 1 });
    try {
      const outcome = await ev.evaluate(job({ min: 7 }));
      expect(outcome).toEqual(await single(job({ min: 7 })));
      await ev.warm();
      expect(await ev.evaluate(job({ min: 8 }))).toEqual(await single(job({ min: 8 })));
    } finally {
      await ev.close();
    }
  }, 120_000);

  // Found by the leader-election test: an operator that got SIGTERM while its worker was still
  // loading finished its shutdown and then never exited, held by the worker's message port.
  it.each([
    ['while the worker still loads', 'void ev.warm();'],
    // The interval stands in for the operator's servers, which keep it alive while it serves.
    [
      'after the worker answered',
      `const serving = setInterval(() => {}, 1000);
await ev.warm();
await ev.evaluate({ schema: '#C: {a: int}', expr: '#C', values: '{"a":1}' });
clearInterval(serving);`,
    ],
  ])(
    'never keeps the process alive: it exits by itself %s',
    (_when, body) => {
      const script = `import { useCueWorkers } from ${JSON.stringify(evaluatorModule)};
const ev = useCueWorkers(1);
${body}
ev.stats().workers === 1 || process.exit(3);
process.stdout.write('main done');`;
      // A file, not -e: workers inherit execArgv, and --input-type would fail the worker.
      const file = join(mkdtempSync(join(tmpdir(), 'mwop-cue-exit-')), 'main.mjs');
      writeFileSync(file, script);
      const run = spawnSync(process.execPath, [file], {
        encoding: 'utf8',
        timeout: 100_000, // a guard only: the assertion is the exit status, not the time
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('main done');
      expect({ status: run.status, signal: run.signal }).toEqual({ status: 0, signal: null });
    },
    120_000,
  );

  // Issue #13: the operator's RSS. With workers, the field catalog comes from a worker too, so
  // the main thread never loads a runtime of its own (about 120 MB). A child process: this one has
  // loaded the runtime already.
  it('with workers, validateConfig never loads a CUE runtime in the calling thread', () => {
    const configModule = fileURLToPath(new URL('../../../src/config/index.ts', import.meta.url));
    const runtimeModule = fileURLToPath(new URL('../../../src/config/cue-runtime.ts', import.meta.url));
    const script = `import { useCueWorkers } from ${JSON.stringify(evaluatorModule)};
import { validateConfig } from ${JSON.stringify(configModule)};
import { cueRuntimeLoaded } from ${JSON.stringify(runtimeModule)};
const SCHEMA = ${JSON.stringify(SCHEMA)};
const plugin = (configTemplate) => ({ typeName: 'cachetest', version: { pluginVersion: 'v1', configTemplate,
  configFiles: [{ name: 'app.conf', template: 'min {{config.min}}' }] }, middleware: { version: '1.0' } });
const instance = (overrides) => ({ apiVersion: 'mwop.dev/v1alpha1', kind: 'MiddlewareInstance',
  metadata: { name: 'c', namespace: 'ns' },
  spec: { type: 'cachetest', pluginVersion: 'v1', replicas: 1, storage: { size: '1Gi' }, config: { overrides } } });
const serving = setInterval(() => {}, 1000); // the operator's servers, which keep it alive
const ev = useCueWorkers(1);
await ev.warm();
const good = await validateConfig(plugin(SCHEMA), instance({ min: 3 }));
const unknownKey = await validateConfig(plugin(SCHEMA), instance({ mn: 3 }));
const ruleBroken = await validateConfig(plugin(SCHEMA), instance({ min: 30 }));
const broken = await validateConfig(plugin('#Config: {a: int'), instance({}));
process.stdout.write(JSON.stringify({ good, unknownKey, ruleBroken, broken, loaded: cueRuntimeLoaded() }));
clearInterval(serving);
await ev.close();`;
    const file = join(mkdtempSync(join(tmpdir(), 'mwop-cue-main-')), 'main.mjs');
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 100_000 });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout);
    expect(out.good).toEqual({
      ok: true,
      config: {
        values: { min: 3, max: 10, mode: 'fast' },
        files: { 'app.conf': 'min 3' },
        checksum: expect.any(String),
      },
    });
    expect(out.unknownKey.errors[0]).toMatchObject({ path: 'spec.config.overrides.mn', value: 3 });
    expect(out.ruleBroken.errors[0]).toMatchObject({ path: 'spec.config.overrides.min', value: 30 });
    expect(out.broken.errors[0].path).toBe('MiddlewareType cachetest v1 configTemplate');
    expect(out.broken.errors[0].message).toMatch(/^does not compile: .+; the type's CUE must compile/);
    expect(out.loaded).toBe(false);
  }, 120_000);

  describe('in a worker thread', () => {
    const ev = new CueEvaluator({ workers: 1 });
    afterAll(() => ev.close());

    it('gives the outcomes of the in-process runtime, batched and split alike', async () => {
      await ev.warm();
      const jobs = [job({ min: 1 }), job({ min: 2, mode: 'safe' }), job({ min: 30 }), job({ mode: 'slow' })];
      const outcomes = await Promise.all(jobs.map((j) => ev.evaluate(j)));
      for (let i = 0; i < jobs.length; i++) expect(outcomes[i]).toEqual(await single(jobs[i]!));
      expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, false]);
      expect(await ev.evaluate(jobs[0]!)).toEqual(outcomes[0]);
      expect(ev.stats().cache.hits).toBe(1);
    }, 120_000);
  });
});

describe('validateConfig through the process-wide evaluator', () => {
  const version = {
    pluginVersion: 'v1',
    configTemplate: SCHEMA,
    configFiles: [{ name: 'app.conf', template: 'min {{config.min}}\nmax {{config.max}}\n' }],
  } as unknown as MiddlewareTypeVersion;
  const plugin = {
    typeName: 'cachetest',
    version,
    middleware: { version: '1.0' },
  } as unknown as ResolvedPlugin;
  const instance = (overrides: Record<string, unknown>, replicas = 1) => ({
    apiVersion: 'mwop.dev/v1alpha1' as const,
    kind: 'MiddlewareInstance' as const,
    metadata: { name: 'c', namespace: 'ns' },
    spec: {
      type: 'cachetest',
      pluginVersion: 'v1',
      replicas,
      storage: { size: '1Gi' },
      config: { overrides },
    },
  });

  it('answers an update with the same config from the cache, and re-validates a changed one', async () => {
    const before = cueEvaluator().stats().configs;
    const created = await validateConfig(plugin, instance({ min: 3, max: 7 }));
    expect(created.ok && created.config.files['app.conf']).toBe('min 3\nmax 7\n');
    // Scaled: same config, so CUE is not asked again; the files are rendered for the new object.
    const scaled = await validateConfig(plugin, instance({ min: 3, max: 7 }, 3));
    expect(scaled).toEqual(created);
    expect(cueEvaluator().stats().configs - before).toBe(1);
    // Config changed so that a rule breaks: evaluated, and refused with the key that broke it.
    const changed = await validateConfig(plugin, instance({ min: 8, max: 7 }));
    expect(cueEvaluator().stats().configs - before).toBe(2);
    expect(changed.ok).toBe(false);
    if (!changed.ok) expect(changed.errors[0]!.path).toBe('spec.config.overrides.min');
  }, 60_000);
});
