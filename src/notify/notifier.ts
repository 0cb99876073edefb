// Delivery of notifications to webhook receivers, off the reconcile path.
//
// notify() only builds the CloudEvent and puts one delivery per matching receiver on a bounded
// in-memory queue; it never awaits anything, so a slow or dead receiver cannot hold up a
// reconcile. Workers (a fixed number) POST with a per-request timeout; retryable failures (network
// errors, timeouts, 5xx, 429) wait out an exponential backoff off the worker and go back on the
// queue. When the queue is full the oldest delivery is dropped and counted: losing an old
// notification is better than growing without bound while a receiver is down.
//
// Notifications are best effort and at-least-once per attempt: the queue lives in memory, so a
// restart loses what was queued. Receivers dedupe on the CloudEvent id, which is stable.
import { readFile } from 'node:fs/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../log/logger.ts';
import {
  CLOUDEVENT_CONTENT_TYPE,
  type CloudEvent,
  eventName,
  type NotificationEvent,
  SIGNATURE_HEADER,
  signBody,
  toCloudEvent,
} from './cloudevent.ts';
import type { ReceiverConfig, SigningKeySource } from './config.ts';

export const DEFAULT_SOURCE = '/mwop.dev/operator';

/** Reads one key of a Secret; the notifier never logs what it returns. */
export type SecretReader = (namespace: string, name: string, key: string) => Promise<string>;

export interface NotifierOptions {
  receivers: ReceiverConfig[];
  /** CloudEvents `source`. */
  source?: string;
  registry?: Registry;
  log?: Logger;
  /** Deliveries waiting (queued or backing off) before the oldest is dropped. */
  queueCapacity?: number;
  /** Requests in flight at once, across all receivers. */
  concurrency?: number;
  backoff?: { baseMs: number; maxMs: number };
  readSecret?: SecretReader;
  fetch?: typeof fetch;
  /** For jitter; tests pass a constant. */
  random?: () => number;
}

export interface NotifyResult {
  /** Deliveries queued for this event (one per matching receiver). */
  queued: number;
  /** Older deliveries dropped to make room. */
  dropped: number;
}

export type DeliveryResult = 'delivered' | 'failed' | 'dropped';
type AttemptOutcome =
  | 'success'
  | 'timeout'
  | 'network'
  | 'http_429'
  | 'http_5xx'
  | 'http_other'
  | 'signing_key';

interface Delivery {
  receiver: ReceiverConfig;
  event: CloudEvent;
  body: string;
  /** Attempts made so far. */
  attempts: number;
}

interface Waiting {
  delivery: Delivery;
  timer: NodeJS.Timeout;
}

class AttemptError extends Error {
  readonly outcome: AttemptOutcome;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  constructor(outcome: AttemptOutcome, retryable: boolean, message: string, retryAfterMs?: number) {
    super(message);
    this.outcome = outcome;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

function metric<T>(registry: Registry | undefined, name: string, make: (regs: Registry[]) => T): T {
  const existing = registry?.getSingleMetric(name);
  return (existing as T | undefined) ?? make(registry ? [registry] : []);
}

/** Scheme, host and port only: receiver URLs often carry a token in their path or query. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class Notifier {
  private readonly receivers: ReceiverConfig[];
  private readonly source: string;
  private readonly log?: Logger;
  private readonly capacity: number;
  private readonly concurrency: number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly readSecret?: SecretReader;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;

  private readonly queue: Delivery[] = [];
  private readonly waiting = new Set<Waiting>();
  private readonly inFlight = new Set<AbortController>();
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  private readonly results: Counter<'result'>;
  private readonly attempts: Counter<'outcome'>;

  constructor(opts: NotifierOptions) {
    this.receivers = opts.receivers;
    this.source = opts.source ?? DEFAULT_SOURCE;
    this.log = opts.log;
    this.capacity = opts.queueCapacity ?? 1000;
    this.concurrency = opts.concurrency ?? 4;
    this.backoff = opts.backoff ?? { baseMs: 500, maxMs: 30_000 };
    this.readSecret = opts.readSecret;
    this.fetchImpl = opts.fetch ?? fetch;
    this.random = opts.random ?? Math.random;
    if (!(this.capacity >= 1) || !(this.concurrency >= 1)) {
      throw new Error(
        `notifier: queueCapacity (${this.capacity}) and concurrency (${this.concurrency}) must be at least 1`,
      );
    }

    this.results = metric(
      opts.registry,
      'mwop_notifications_total',
      (registers) =>
        new Counter({
          name: 'mwop_notifications_total',
          help: 'Notification deliveries by final result: delivered, failed (gave up) or dropped (queue full or shutdown)',
          labelNames: ['result'],
          registers,
        }),
    );
    this.attempts = metric(
      opts.registry,
      'mwop_notification_attempts_total',
      (registers) =>
        new Counter({
          name: 'mwop_notification_attempts_total',
          help: 'Notification HTTP attempts by outcome',
          labelNames: ['outcome'],
          registers,
        }),
    );
    const self = this;
    metric(
      opts.registry,
      'mwop_notifications_queue_depth',
      (registers) =>
        new Gauge({
          name: 'mwop_notifications_queue_depth',
          help: 'Notification deliveries queued or waiting to retry',
          registers,
          collect: function (this: Gauge) {
            this.set(self.depth());
          },
        }),
    );
  }

  /** Queues the event for every matching receiver and returns at once. Never throws. */
  notify(ev: NotificationEvent): NotifyResult {
    if (this.closed) return { queued: 0, dropped: 0 };
    const name = eventName(ev);
    const targets = this.receivers.filter(
      (r) => r.events.includes(name) && (!r.namespaces || r.namespaces.includes(ev.namespace)),
    );
    if (targets.length === 0) return { queued: 0, dropped: 0 };
    const event = toCloudEvent(ev, { source: this.source });
    const body = JSON.stringify(event);
    let dropped = 0;
    for (const receiver of targets) {
      if (this.depth() >= this.capacity) {
        this.dropOldest();
        dropped++;
      }
      this.queue.push({ receiver, event, body, attempts: 0 });
    }
    this.pump();
    return { queued: targets.length, dropped };
  }

  /** Deliveries queued or waiting to retry (not counting those in flight). */
  depth(): number {
    return this.queue.length + this.waiting.size;
  }

  /** Requests in flight now. */
  active(): number {
    return this.inFlight.size;
  }

  /** Resolves when nothing is queued, waiting or in flight. */
  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking events, gives queued deliveries up to graceMs, then drops what is left and
   * aborts requests in flight.
   */
  async close(graceMs = 0): Promise<void> {
    this.closed = true;
    if (!this.isIdle() && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.drain(),
        new Promise<void>((r) => {
          timer = setTimeout(r, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const w of this.waiting) clearTimeout(w.timer);
    const abandoned = this.queue.length + this.waiting.size;
    if (abandoned > 0) {
      this.results.inc({ result: 'dropped' }, abandoned);
      this.log?.warn({ abandoned }, 'notifier closed with undelivered notifications');
    }
    this.queue.length = 0;
    this.waiting.clear();
    for (const ac of this.inFlight) ac.abort(new Error('notifier closed'));
    await this.drain();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.waiting.size === 0 && this.inFlight.size === 0;
  }

  private settleIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private dropOldest(): void {
    let victim: Delivery | undefined = this.queue.shift();
    if (!victim) {
      const oldest = this.waiting.values().next().value as Waiting | undefined;
      if (oldest) {
        clearTimeout(oldest.timer);
        this.waiting.delete(oldest);
        victim = oldest.delivery;
      }
    }
    if (!victim) return;
    this.results.inc({ result: 'dropped' });
    this.log?.warn(
      { receiver: victim.receiver.name, type: victim.event.type, subject: victim.event.subject },
      'notification queue full; dropped the oldest delivery',
    );
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency && this.queue.length > 0) {
      const d = this.queue.shift()!;
      const ac = new AbortController();
      this.inFlight.add(ac);
      void this.attempt(d, ac.signal).finally(() => {
        this.inFlight.delete(ac);
        this.pump();
        this.settleIfIdle();
      });
    }
    this.settleIfIdle();
  }

  private async attempt(d: Delivery, closing: AbortSignal): Promise<void> {
    d.attempts++;
    const r = d.receiver;
    const logFields = { receiver: r.name, origin: origin(r.url), type: d.event.type, attempt: d.attempts };
    try {
      await this.post(d, closing);
      this.attempts.inc({ outcome: 'success' });
      this.results.inc({ result: 'delivered' });
      this.log?.debug(logFields, 'notification delivered');
      return;
    } catch (raw) {
      const err =
        raw instanceof AttemptError
          ? raw
          : new AttemptError('network', true, (raw as Error).message ?? String(raw));
      this.attempts.inc({ outcome: err.outcome });
      const retriesLeft = r.maxRetries - (d.attempts - 1);
      if (closing.aborted || this.closed || !err.retryable || retriesLeft <= 0) {
        this.results.inc({ result: 'failed' });
        this.log?.warn(
          { ...logFields, outcome: err.outcome, err: err.message },
          err.retryable ? 'notification failed; retries exhausted' : 'notification rejected; not retrying',
        );
        return;
      }
      const delay = Math.max(
        this.backoffDelay(d.attempts),
        Math.min(err.retryAfterMs ?? 0, this.backoff.maxMs),
      );
      this.log?.info(
        { ...logFields, outcome: err.outcome, err: err.message, delayMs: delay },
        'notification retry',
      );
      const entry: Waiting = {
        delivery: d,
        timer: setTimeout(() => {
          this.waiting.delete(entry);
          this.queue.push(d);
          this.pump();
        }, delay),
      };
      // A pending retry must not keep a stopping process alive; close() accounts for it.
      entry.timer.unref();
      this.waiting.add(entry);
    }
  }

  /** Exponential with jitter in [50 %, 100 %] so that many deliveries do not retry in lockstep. */
  private backoffDelay(attempts: number): number {
    const full = Math.min(this.backoff.baseMs * 2 ** Math.min(attempts - 1, 30), this.backoff.maxMs);
    return Math.round(full * (0.5 + 0.5 * this.random()));
  }

  private async post(d: Delivery, closing: AbortSignal): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': CLOUDEVENT_CONTENT_TYPE,
      'user-agent': 'mwop-notifier',
    };
    if (d.receiver.signingKey) {
      let key: string;
      try {
        key = await this.signingKey(d.receiver.signingKey);
      } catch (err) {
        throw new AttemptError('signing_key', true, `cannot read the HMAC key: ${(err as Error).message}`);
      }
      headers[SIGNATURE_HEADER] = signBody(d.body, key);
    }
    const timeout = AbortSignal.timeout(d.receiver.timeoutMs);
    const signal = AbortSignal.any([timeout, closing]);
    let res: Response;
    try {
      res = await this.fetchImpl(d.receiver.url, {
        method: 'POST',
        headers,
        body: d.body,
        signal,
        redirect: 'manual',
      });
      // Read (and discard) the body inside the same deadline so a trickling receiver is cut off too.
      await res.arrayBuffer();
    } catch (err) {
      if (timeout.aborted) {
        throw new AttemptError('timeout', true, `no response within ${d.receiver.timeoutMs} ms`);
      }
      if (closing.aborted) throw new AttemptError('network', false, 'aborted: notifier closed');
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new AttemptError('network', true, cause?.code ?? cause?.message ?? (err as Error).message);
    }
    if (res.status >= 200 && res.status < 300) return;
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
    if (res.status === 429) throw new AttemptError('http_429', true, 'HTTP 429', retryAfterMs);
    if (res.status >= 500) throw new AttemptError('http_5xx', true, `HTTP ${res.status}`, retryAfterMs);
    throw new AttemptError('http_other', false, `HTTP ${res.status}`);
  }

  private async signingKey(src: SigningKeySource): Promise<string> {
    if (src.kind === 'file') {
      // Keys written with `echo` end in a newline that is not part of the key.
      return (await readFile(src.path, 'utf8')).replace(/\r?\n$/, '');
    }
    if (!this.readSecret) {
      throw new Error(`no Secret reader configured for secretRef ${src.namespace}/${src.name}`);
    }
    return this.readSecret(src.namespace, src.name, src.key);
  }
}
