// Runs a reconcile function over a keyed work queue with N workers. Level-based: the queue holds
// keys, the reconciler re-reads state. Errors requeue with per-key backoff; a TerminalError does
// not (the reconciler has written it into status); a result may ask for a timed requeue.
import type { Registry } from 'prom-client';
import type { Logger } from '../log/logger.ts';
import { type ControllerMetrics, controllerMetrics } from '../metrics/controller-metrics.ts';
import { TerminalError } from './errors.ts';
import { WorkQueue } from './work-queue.ts';

export type ReconcileResult = { requeueAfterMs?: number } | undefined;
export type Reconciler = (key: string) => Promise<ReconcileResult | undefined>;

export interface ControllerOptions {
  name: string;
  reconcile: Reconciler;
  log: Logger;
  workers?: number;
  queue?: WorkQueue;
  registry?: Registry;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly reconcile: Reconciler;
  private readonly log: Logger;
  private readonly workers: number;
  private readonly metrics?: ControllerMetrics;
  private running: Promise<void>[] = [];

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    this.reconcile = opts.reconcile;
    this.log = opts.log.child({ controller: opts.name });
    this.workers = opts.workers ?? 2;
    this.queue = opts.queue ?? new WorkQueue();
    if (opts.registry) this.metrics = controllerMetrics(opts.registry);
  }

  enqueue(key: string): void {
    this.metrics?.queueAdds.inc({ name: this.name });
    this.queue.add(key);
    this.metrics?.queueDepth.set({ name: this.name }, this.queue.len());
  }

  start(): void {
    for (let i = 0; i < this.workers; i++) this.running.push(this.work());
  }

  /** Stops taking keys and waits up to graceMs for in-flight reconciles to finish. */
  async stop(graceMs = 10_000): Promise<boolean> {
    this.queue.shutDown();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const finished = Promise.all(this.running).then(() => true as const);
    const clean = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    return clean;
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.metrics?.queueDepth.set({ name: this.name }, this.queue.len());
      const end = this.metrics?.reconcileTime.startTimer({ controller: this.name });
      try {
        const result = await this.reconcile(key);
        this.queue.forget(key);
        if (result?.requeueAfterMs) {
          this.queue.addAfter(key, result.requeueAfterMs);
          this.metrics?.reconcileTotal.inc({ controller: this.name, result: 'requeue_after' });
        } else {
          this.metrics?.reconcileTotal.inc({ controller: this.name, result: 'success' });
        }
      } catch (err) {
        this.metrics?.reconcileErrors.inc({ controller: this.name });
        this.metrics?.reconcileTotal.inc({ controller: this.name, result: 'error' });
        if (err instanceof TerminalError) {
          this.queue.forget(key);
          this.log.warn({ key, err: err.message }, 'reconcile failed terminally; not retrying');
        } else {
          const delay = this.queue.addRateLimited(key);
          this.log.info({ key, err: (err as Error).message, retryInMs: delay }, 'reconcile failed; retrying');
        }
      } finally {
        end?.();
        this.queue.done(key);
      }
    }
  }
}
