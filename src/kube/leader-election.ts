// Leader election on a coordination.k8s.io/v1 Lease, with client-go's algorithm and
// controller-runtime's default timings (lease 15 s, renew deadline 10 s, retry 2 s).
// Expiry is judged by the local clock from when *we* last saw the record change, never by
// comparing our clock with another replica's timestamps, so clock skew cannot split the brain.
import { type Clock, systemClock } from './clock.ts';
import { isConflict, isNotFound } from './errors.ts';
import { resourcePath } from './gvr.ts';
import type { KubeRest } from './rest.ts';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaseObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** Where the lease lives; the real one talks to the API server, tests may use memory. */
export interface LeaseStore {
  get(): Promise<LeaseObject | undefined>;
  create(lease: LeaseObject): Promise<LeaseObject>;
  /** Must fail with a 409 when resourceVersion is stale. */
  update(lease: LeaseObject): Promise<LeaseObject>;
}

export interface LeaderElectionOptions {
  store: LeaseStore;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  onNewLeader?: (identity: string) => void;
  onError?: (err: unknown) => void;
}

export const LEASE_DURATION_MS = 15_000;
export const RENEW_DEADLINE_MS = 10_000;
export const RETRY_PERIOD_MS = 2_000;

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectionOptions, 'onNewLeader' | 'onError'>> &
    Pick<LeaderElectionOptions, 'onNewLeader' | 'onError'>;
  private observed?: { spec: LeaseSpec; rv?: string; at: number };
  private leading = false;
  private lastRenew = 0;
  private stopped = false;
  private timer: unknown;
  /** The acquire-or-renew round in flight, if any (settles, never rejects). */
  private round: Promise<void> | undefined;
  private lastLeader = '';

  constructor(opts: LeaderElectionOptions) {
    this.o = {
      leaseDurationMs: LEASE_DURATION_MS,
      renewDeadlineMs: RENEW_DEADLINE_MS,
      retryPeriodMs: RETRY_PERIOD_MS,
      clock: systemClock,
      ...opts,
    };
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stops campaigning; a leader releases the lease so a successor need not wait for expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    // A renewal still in flight would otherwise land after the release and put this replica back
    // as the holder (seen in CI: "lease released", yet holderIdentity still set).
    await this.round;
    if (this.leading) {
      this.loseLeadership();
      await this.release().catch((err) => this.o.onError?.(err));
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    const round = this.tryAcquireOrRenew();
    this.round = round.then(
      () => undefined,
      () => undefined,
    );
    try {
      ok = await round;
    } catch (err) {
      this.o.onError?.(err);
    }
    if (this.stopped) return;
    const now = this.o.clock.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.o.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew >= this.o.renewDeadlineMs) {
      this.loseLeadership();
    }
    this.schedule(this.o.retryPeriodMs);
  }

  private loseLeadership(): void {
    if (!this.leading) return;
    this.leading = false;
    this.o.onStoppedLeading();
  }

  /** One round of client-go's tryAcquireOrRenew. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.o.clock.now();
    const mine: LeaseSpec = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    const current = await this.o.store.get();
    if (!current) {
      try {
        const created = await this.o.store.create(this.lease(mine));
        this.observe(created, now);
        return true;
      } catch (err) {
        if (isConflict(err) || (err as { statusCode?: number }).statusCode === 409) return false;
        throw err;
      }
    }
    const spec = current.spec ?? {};
    if (!this.observed || JSON.stringify(this.observed.spec) !== JSON.stringify(spec)) {
      this.observe(current, now);
    }
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.lastLeader) {
      this.lastLeader = holder;
      if (holder) this.o.onNewLeader?.(holder);
    }
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    const held = holder !== '' && holder !== this.o.identity;
    if (held && this.observed && this.observed.at + durationMs > now) return false;

    const next: LeaseSpec =
      holder === this.o.identity
        ? {
            ...mine,
            acquireTime: spec.acquireTime ?? mine.acquireTime,
            leaseTransitions: spec.leaseTransitions ?? 0,
          }
        : { ...mine, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
    try {
      const updated = await this.o.store.update(this.lease(next, current.metadata.resourceVersion));
      this.observe(updated, now);
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** Empties holderIdentity if this replica holds the lease; a conflict reads the lease again. */
  private async release(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.o.store.get();
      if (!current || current.spec.holderIdentity !== this.o.identity) return;
      const now = this.o.clock.now();
      try {
        await this.o.store.update(
          this.lease(
            {
              ...current.spec,
              holderIdentity: '',
              leaseDurationSeconds: 1,
              renewTime: microTime(now),
            },
            current.metadata.resourceVersion,
          ),
        );
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 3) throw err;
      }
    }
  }

  private observe(lease: LeaseObject, now: number): void {
    this.observed = { spec: lease.spec ?? {}, rv: lease.metadata.resourceVersion, at: now };
  }

  private lease(spec: LeaseSpec, resourceVersion?: string): LeaseObject {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.o.name,
        namespace: this.o.namespace,
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      spec,
    };
  }
}

/** The Lease in the API server. */
export function apiLeaseStore(rest: KubeRest, namespace: string, name: string): LeaseStore {
  const collection = resourcePath('coordination.k8s.io/v1', 'Lease', { namespace });
  const item = resourcePath('coordination.k8s.io/v1', 'Lease', { namespace, name });
  return {
    async get() {
      try {
        return await rest.get<LeaseObject>(item, { timeoutMs: 5_000 });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (lease) => rest.post<LeaseObject>(collection, lease, { timeoutMs: 5_000 }),
    update: (lease) => rest.put<LeaseObject>(item, lease, { timeoutMs: 5_000 }),
  };
}
