// A list+watch cache that does not silently die. client-node's informer stops on errors and can
// hang on a half-open watch; this one relists on 410 Gone, restarts the watch with backoff on any
// error, restarts a watch that has been silent for longer than the watchdog allows (bookmarks
// keep a healthy watch talking), and relists periodically so missed events heal.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { backoffDelay } from './backoff.ts';
import { type Clock, systemClock } from './clock.ts';
import { isGone, KubeApiError } from './errors.ts';
import { resourcePath } from './gvr.ts';
import type { KubeRest } from './rest.ts';

/** Read access to a cache, whatever feeds it. */
export interface Cache<T> {
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): T[];
}

export type InformerEventType = 'add' | 'update' | 'delete' | 'resync';
export type InformerHandler<T> = (type: InformerEventType, obj: T, old?: T) => void;

export interface InformerOptions<T extends KubernetesObject> {
  rest: KubeRest;
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  /** Keep only what the controller needs; big caches are the first thing that eats memory. */
  transform?: (obj: T) => T;
  /** Relist this often and hand every object to the handlers again (default 10 min). */
  resyncMs?: number;
  /** Restart a watch that has said nothing for this long (default 3 min). */
  watchdogMs?: number;
  clock?: Clock;
  onError?: (err: unknown, context: string) => void;
}

const PAGE = 500;

export function objectKey(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name}` : String(obj.metadata?.name);
}

export class Informer<T extends KubernetesObject> implements Cache<T> {
  private readonly store = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly opts: Required<Pick<InformerOptions<T>, 'resyncMs' | 'watchdogMs'>> & InformerOptions<T>;
  private readonly clock: Clock;
  private resourceVersion = '';
  private lastList = 0;
  private stopped = false;
  private abort?: AbortController;
  private synced!: Promise<void>;
  private markSynced!: () => void;
  private loop?: Promise<void>;
  /** Counters for metrics and tests. */
  readonly stats = { lists: 0, watches: 0, watchdogRestarts: 0, errors: 0 };

  constructor(opts: InformerOptions<T>) {
    this.opts = { resyncMs: 600_000, watchdogMs: 180_000, ...opts };
    this.clock = opts.clock ?? systemClock;
    this.synced = new Promise((r) => {
      this.markSynced = r;
    });
  }

  on(handler: InformerHandler<T>): this {
    this.handlers.push(handler);
    return this;
  }

  /** Starts the loop; resolves once the first list is in the cache. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.synced;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.loop;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    const all = [...this.store.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  get size(): number {
    return this.store.size;
  }

  private path(): string {
    return resourcePath(
      this.opts.apiVersion,
      this.opts.kind,
      this.opts.namespace ? { namespace: this.opts.namespace } : {},
    );
  }

  private emit(type: InformerEventType, obj: T, old?: T): void {
    for (const h of this.handlers) {
      try {
        h(type, obj, old);
      } catch (err) {
        this.opts.onError?.(err, `handler for ${this.opts.kind}`);
      }
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList || this.clock.now() - this.lastList >= this.opts.resyncMs) {
          await this.relist();
          needList = false;
        }
        await this.watchOnce();
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        this.stats.errors++;
        if (isGone(err)) {
          needList = true;
          continue;
        }
        failures++;
        this.opts.onError?.(err, `${this.opts.kind} list/watch`);
        await this.sleep(Math.min(backoffDelay(failures, { baseMs: 200, maxMs: 30_000 }), 30_000));
      }
    }
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.opts.rest.get<KubernetesListObject<T>>(this.path(), {
        query: { limit: PAGE, continue: cont, labelSelector: this.opts.labelSelector },
      });
      for (const item of page.items) {
        const obj = this.slim({ ...item, apiVersion: this.opts.apiVersion, kind: this.opts.kind });
        fresh.set(objectKey(obj), obj);
      }
      cont = page.metadata?._continue;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    this.stats.lists++;
    const periodic = this.lastList !== 0;
    for (const [key, obj] of fresh) {
      const old = this.store.get(key);
      this.store.set(key, obj);
      if (!old) this.emit('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj, old);
      else if (periodic) this.emit('resync', obj, old);
    }
    for (const [key, old] of this.store) {
      if (!fresh.has(key)) {
        this.store.delete(key);
        this.emit('delete', old);
      }
    }
    this.resourceVersion = rv;
    this.lastList = this.clock.now();
    this.markSynced();
  }

  private async watchOnce(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    let watchdog: unknown;
    const feed = () => {
      if (watchdog !== undefined) this.clock.clearTimeout(watchdog);
      watchdog = this.clock.setTimeout(() => {
        this.stats.watchdogRestarts++;
        abort.abort();
      }, this.opts.watchdogMs);
    };
    // Server-side timeout spread over 5-10 min so many informers do not reconnect in step,
    // and never past the next periodic relist.
    const untilResync = Math.max(
      1,
      Math.floor((this.lastList + this.opts.resyncMs - this.clock.now()) / 1000),
    );
    const timeoutSeconds = Math.min(300 + Math.floor(Math.random() * 300), untilResync);
    feed();
    try {
      const res = await this.opts.rest.raw('GET', this.path(), {
        query: {
          watch: 1,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: this.opts.labelSelector,
        },
        signal: abort.signal,
      });
      if (res.status !== 200) {
        const text = await res.text();
        throw new KubeApiError(
          res.status,
          res.statusText,
          `watch ${this.opts.kind}: HTTP ${res.status} ${text}`,
        );
      }
      this.stats.watches++;
      const lines = createInterface({
        input: Readable.fromWeb(res.body as never),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      for await (const line of lines) {
        feed();
        if (!line) continue;
        this.handleEvent(
          JSON.parse(line) as { type: string; object: T & { code?: number; message?: string } },
        );
      }
    } catch (err) {
      if (abort.signal.aborted) return; // stop() or the watchdog: not an error
      throw err;
    } finally {
      if (watchdog !== undefined) this.clock.clearTimeout(watchdog);
    }
  }

  private handleEvent(ev: { type: string; object: T & { code?: number; message?: string } }): void {
    const obj = ev.object;
    if (ev.type === 'ERROR') {
      throw new KubeApiError(obj.code ?? 500, 'WatchError', obj.message ?? 'watch error');
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (ev.type === 'BOOKMARK') return;
    const slim = this.slim({ ...obj, apiVersion: this.opts.apiVersion, kind: this.opts.kind });
    const key = objectKey(slim);
    const old = this.store.get(key);
    if (ev.type === 'DELETED') {
      this.store.delete(key);
      this.emit('delete', slim);
    } else {
      this.store.set(key, slim);
      this.emit(old ? 'update' : 'add', slim, old);
    }
  }

  private slim(obj: T): T {
    if (obj.metadata) delete obj.metadata.managedFields;
    return this.opts.transform ? this.opts.transform(obj) : obj;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }
}
