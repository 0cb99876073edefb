// CUE's verdict on a set of config values, the expensive step of validateConfig (cue-wasm parses
// and compiles the whole schema on every call: about 4 ms of CPU on an idle core, far more on a
// loaded one). Three things keep it off the admission path's critical section:
//
// - Remembered outcomes: a bounded LRU keyed by (schema, expression, values JSON), holding the
//   values CUE produced or the error text it gave. Inputs fully determine the outcome (published
//   plugin versions are immutable, and the key holds the schema text itself), so a hit is exact.
//   Concurrent requests for the same key share one evaluation.
// - Batching: evaluations waiting for the same schema go to CUE in one call, one top-level field
//   per config, so the schema is parsed and compiled once for the batch. When a batch does not
//   evaluate, the config CUE names in its error is evaluated on its own and the rest go again as a
//   batch (each config on its own when CUE names none), so every outcome, error text included, is
//   exactly what a single evaluation gives.
// - Workers: with `workers > 0` the evaluations run in worker threads, each with its own cue-wasm
//   runtime (50 to 85 MiB), so the event loop keeps serving TLS, HTTP and cached answers while
//   CUE works. With 0 they run in-process (the CLI, tests); a worker that dies is replaced by the
//   in-process runtime, so a verdict is never lost to it, and until a worker has loaded its
//   runtime the in-process one answers.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CueError, type CueRuntime, cueRuntime } from './cue-runtime.ts';
import { Lru } from './lru.ts';

/** One evaluation: `<schema>\n<label>: <expr> & <values>`. */
export interface CueJob {
  /** The CUE source of the schema (comment lines removed). */
  schema: string;
  /** What the values are unified with, e.g. `#Config & _#Rules`. */
  expr: string;
  /** The values, as JSON text. */
  values: string;
}

export type CueOutcome = { ok: true; values: Record<string, unknown> } | { ok: false; error: string };

export const RESULT_LABEL = 'mwopInstanceConfig';

/** The batch member a CUE error is about: "mwopInstanceConfig3.key: ..." */
const NAMED_IN_BATCH = new RegExp(`^${RESULT_LABEL}(\\d+)\\b`);

export function singleSource(job: CueJob): string {
  return `${job.schema}\n${RESULT_LABEL}: ${job.expr} & ${job.values}\n`;
}

export function batchSource(jobs: readonly CueJob[]): string {
  let out = `${jobs[0]!.schema}\n`;
  for (let i = 0; i < jobs.length; i++) out += `${RESULT_LABEL}${i}: ${jobs[i]!.expr} & ${jobs[i]!.values}\n`;
  return out;
}

/** What one toJSON (or toOpenAPI) call gave: the JSON text, or CUE's error text. */
type RunResult = { json: string } | { error: string };

/** toJSON evaluates; openapi derives the OpenAPI document of the definitions (the field catalog's input). */
type RunOp = 'json' | 'openapi';

interface Runner {
  run(source: string, op?: RunOp): Promise<RunResult>;
  /** False while a worker is still loading its CUE runtime. */
  ready(): boolean;
  /** Resolves when ready (or when the worker is gone). */
  whenReady(): Promise<void>;
  close(): Promise<void>;
}

function runSync(cue: CueRuntime, source: string, op: RunOp = 'json'): RunResult {
  try {
    return { json: op === 'openapi' ? cue.toOpenAPI(source) : cue.toJSON(source) };
  } catch (err) {
    if (err instanceof CueError) return { error: err.message };
    throw err;
  }
}

function inProcessRunner(): Runner {
  return {
    run: async (source, op) => runSync(await cueRuntime(), source, op),
    ready: () => true,
    whenReady: async () => {
      await cueRuntime();
    },
    close: async () => {},
  };
}

class WorkerGone extends Error {}

function workerRunner(onGone: (err: Error) => void): Runner {
  const file = new URL(`./cue-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  const worker = new Worker(file);
  const calls = new Map<number, { resolve: (r: RunResult) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let gone: Error | undefined;
  const fail = (err: Error) => {
    if (gone) return;
    gone = new WorkerGone(`CUE worker stopped: ${err.message}`);
    markReady();
    for (const c of calls.values()) c.reject(gone);
    calls.clear();
    onGone(gone);
  };
  let ready = false;
  let markReady!: () => void;
  const readyPromise = new Promise<void>((r) => {
    markReady = r;
  });
  worker.on('message', (m: ({ id: number } & RunResult) | { ready: true }) => {
    if ('ready' in m) {
      ready = true;
      markReady();
      return;
    }
    const call = calls.get(m.id);
    if (!call) return;
    calls.delete(m.id);
    if (calls.size === 0) worker.unref();
    call.resolve('json' in m ? { json: m.json } : { error: m.error });
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  // An idle worker never keeps the process alive (the operator exits by itself after SIGTERM).
  // Only after the listeners: adding a 'message' listener refs the worker's port again.
  worker.unref();
  return {
    ready: () => ready || gone !== undefined,
    whenReady: () => readyPromise,
    run(source, op = 'json') {
      if (gone) return Promise.reject(gone);
      const id = nextId++;
      return new Promise<RunResult>((resolve, reject) => {
        calls.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage(op === 'json' ? { id, source } : { id, source, op });
      });
    },
    async close() {
      gone ??= new WorkerGone('CUE worker closed');
      await worker.terminate();
    },
  };
}

interface Pending {
  job: CueJob;
  key: string;
  group: string;
  resolve: (o: CueOutcome) => void;
  reject: (e: Error) => void;
}

export interface CueEvaluatorOptions {
  /** Worker threads; 0 evaluates in this thread. */
  workers?: number;
  /** Remembered outcomes. */
  cacheSize?: number;
  /** Most configs in one CUE call. */
  maxBatch?: number;
}

export interface CueEvaluatorStats {
  workers: number;
  cache: { size: number; max: number; hits: number; misses: number; evictions: number };
  /** Evaluations that waited for one already running for the same key. */
  shared: number;
  /** toJSON calls made, and how many configs they carried. */
  calls: number;
  configs: number;
  /** Batch calls that did not evaluate: the config CUE named is taken out and evaluated alone. */
  splits: number;
}

const schemaIds = new Map<string, number>();
/** A short, stable stand-in for a schema text in cache keys. */
function schemaId(schema: string): number {
  let id = schemaIds.get(schema);
  if (id === undefined) {
    if (schemaIds.size >= 1024) schemaIds.clear(); // keys made before stay valid: ids only grow
    id = nextSchemaId++;
    schemaIds.set(schema, id);
  }
  return id;
}
let nextSchemaId = 0;

const keyOf = (job: CueJob) => `${schemaId(job.schema)}\u0000${job.expr}\u0000${job.values}`;
const groupOf = (job: CueJob) => `${schemaId(job.schema)}\u0000${job.expr}`;

/** Callers get their own copy: they may keep or change the values. */
const copy = (o: CueOutcome): CueOutcome => (o.ok ? { ok: true, values: structuredClone(o.values) } : o);

function outcomeOf(json: string): CueOutcome {
  const values = (JSON.parse(json) as Record<string, unknown>)[RESULT_LABEL];
  return { ok: true, values: values as Record<string, unknown> };
}

export class CueEvaluator {
  readonly workers: number;
  readonly maxBatch: number;
  #cache: Lru<string, CueOutcome>;
  #inflight = new Map<string, Promise<CueOutcome>>();
  #queue: Pending[] = [];
  #slots: Array<{ runner: Runner | undefined; busy: boolean }>;
  #scheduled = false;
  #closed = false;
  #local = inProcessRunner();
  #stats = { shared: 0, calls: 0, configs: 0, splits: 0 };

  constructor(opts: CueEvaluatorOptions = {}) {
    this.workers = Math.max(0, Math.floor(opts.workers ?? 0));
    this.maxBatch = Math.max(1, opts.maxBatch ?? 32);
    this.#cache = new Lru(opts.cacheSize ?? 4096);
    this.#slots = Array.from({ length: Math.max(1, this.workers) }, () => ({
      runner: undefined,
      busy: false,
    }));
  }

  stats(): CueEvaluatorStats {
    const c = this.#cache;
    return {
      workers: this.workers,
      cache: { size: c.size, max: c.max, hits: c.hits, misses: c.misses, evictions: c.evictions },
      ...this.#stats,
    };
  }

  /** Starts the workers (each loads its own CUE runtime) before the first evaluation needs them. */
  warm(): Promise<void> {
    return Promise.all(
      this.#slots.map(async (slot) => {
        await this.#runner(slot).whenReady();
      }),
    ).then(() => {});
  }

  /** The remembered outcome, without evaluating (synchronous callers). */
  cached(job: CueJob): CueOutcome | undefined {
    const hit = this.#cache.get(keyOf(job));
    return hit && copy(hit);
  }

  /** Remembers an outcome found elsewhere (the synchronous path). */
  remember(job: CueJob, outcome: CueOutcome): void {
    this.#cache.set(keyOf(job), outcome);
  }

  async evaluate(job: CueJob): Promise<CueOutcome> {
    const key = keyOf(job);
    const hit = this.#cache.get(key);
    if (hit) return copy(hit);
    const running = this.#inflight.get(key);
    if (running) {
      this.#stats.shared++;
      return copy(await running);
    }
    const promise = new Promise<CueOutcome>((resolve, reject) => {
      this.#queue.push({ job, key, group: groupOf(job), resolve, reject });
    });
    this.#inflight.set(key, promise);
    this.#schedule();
    return copy(await promise);
  }

  /**
   * The OpenAPI document CUE derives from a schema's definitions (JSON text), from a worker when
   * there are workers, so a process whose evaluations all run in workers never loads a CUE
   * runtime of its own (about 120 MB). Throws CueError when the schema does not compile.
   */
  async openapi(source: string): Promise<string> {
    const r = await this.#run(this.#slots[0]!, source, 0, 'openapi');
    if ('error' in r) throw new CueError(r.error);
    return r.json;
  }

  /** Stops the workers; what is still queued or running finishes in this thread. */
  async close(): Promise<void> {
    this.#closed = true;
    const runners = this.#slots.map((s) => s.runner);
    for (const s of this.#slots) s.runner = undefined;
    await Promise.all(runners.map((r) => r?.close()));
  }

  #runner(slot: { runner: Runner | undefined }): Runner {
    slot.runner ??=
      this.workers > 0 && !this.#closed
        ? workerRunner(() => {
            // Replaced by the in-process runtime: slower, but every verdict still comes.
            slot.runner = inProcessRunner();
          })
        : inProcessRunner();
    return slot.runner;
  }

  /** Dispatch on the next turn of the event loop, so requests read in this turn join the batch. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.busy) continue;
      const group = this.#queue[0]!.group;
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      for (const p of this.#queue) {
        if (p.group === group && batch.length < this.maxBatch) batch.push(p);
        else rest.push(p);
      }
      this.#queue = rest;
      slot.busy = true;
      void this.#runBatch(slot, batch).finally(() => {
        slot.busy = false;
        if (this.#queue.length > 0) this.#schedule();
      });
    }
  }

  async #run(
    slot: { runner: Runner | undefined },
    source: string,
    configs: number,
    op: RunOp = 'json',
  ): Promise<RunResult> {
    if (op === 'json') {
      this.#stats.calls++;
      this.#stats.configs += configs;
    }
    const runner = this.#runner(slot);
    // Until the worker has loaded its runtime (seconds on a busy machine), this thread's answers.
    if (!runner.ready()) return this.#local.run(source, op);
    try {
      return await runner.run(source, op);
    } catch (err) {
      if (!(err instanceof WorkerGone)) throw err;
      return this.#runner(slot).run(source, op); // once more, in-process
    }
  }

  async #runBatch(slot: { runner: Runner | undefined }, batch: Pending[]): Promise<void> {
    const settle = (p: Pending, outcome: CueOutcome) => {
      this.#cache.set(p.key, outcome);
      this.#inflight.delete(p.key);
      p.resolve(outcome);
    };
    try {
      while (batch.length > 1) {
        const r = await this.#run(slot, batchSource(batch.map((p) => p.job)), batch.length);
        if ('json' in r) {
          const all = JSON.parse(r.json) as Record<string, unknown>;
          const missing: Pending[] = [];
          batch.forEach((p, i) => {
            const values = all[`${RESULT_LABEL}${i}`];
            if (values !== null && typeof values === 'object' && !Array.isArray(values))
              settle(p, { ok: true, values: values as Record<string, unknown> });
            else missing.push(p);
          });
          batch = missing;
          break;
        }
        // CUE names the first config that failed ("mwopInstanceConfig3.key: ..."): that one is
        // evaluated alone, for its own error text, and the rest as a batch again.
        this.#stats.splits++;
        const named = NAMED_IN_BATCH.exec(r.error.trim());
        const bad = named ? batch[Number(named[1])] : undefined;
        if (!bad) break;
        const alone = await this.#run(slot, singleSource(bad.job), 1);
        settle(bad, 'json' in alone ? outcomeOf(alone.json) : { ok: false, error: alone.error });
        batch = batch.filter((p) => p !== bad);
      }
      // One at a time: a lone request, or the members of a batch that did not evaluate.
      for (const p of batch) {
        const r = await this.#run(slot, singleSource(p.job), 1);
        settle(p, 'json' in r ? outcomeOf(r.json) : { ok: false, error: r.error });
      }
    } catch (err) {
      for (const p of batch) {
        if (this.#inflight.get(p.key)) {
          this.#inflight.delete(p.key);
          p.reject(err as Error);
        }
      }
    }
  }
}

let shared: CueEvaluator | undefined;

/**
 * The process-wide evaluator. Workers: `MWOP_CUE_WORKERS`, else 0 until something (the webhook
 * server) asks for them with useCueWorkers.
 */
export function cueEvaluator(): CueEvaluator {
  shared ??= new CueEvaluator({ workers: Number(process.env.MWOP_CUE_WORKERS ?? 0) || 0 });
  return shared;
}

/** Makes the process-wide evaluator use `workers` threads (no-op when it already does). */
export function useCueWorkers(workers: number): CueEvaluator {
  const current = cueEvaluator();
  if (current.workers === workers) return current;
  shared = new CueEvaluator({ workers });
  void current.close();
  return shared;
}

/** The synchronous path (validateConfigWith): the same remembered outcomes, CUE in this thread. */
export function evaluateSync(cue: CueRuntime, job: CueJob): CueOutcome {
  const evaluator = cueEvaluator();
  const hit = evaluator.cached(job);
  if (hit) return hit;
  const r = runSync(cue, singleSource(job));
  const outcome: CueOutcome = 'json' in r ? outcomeOf(r.json) : { ok: false, error: r.error };
  evaluator.remember(job, outcome);
  return copy(outcome);
}

/** CUE asked in this thread, the cache neither read nor written. */
export function evaluateFresh(cue: CueRuntime, job: CueJob): CueOutcome {
  const r = runSync(cue, singleSource(job));
  return 'json' in r ? outcomeOf(r.json) : { ok: false, error: r.error };
}
