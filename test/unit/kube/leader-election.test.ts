import { describe, expect, it } from 'vitest';
import { KubeApiError } from '../../../src/kube/errors.ts';
import { LeaderElector, type LeaseObject, type LeaseStore } from '../../../src/kube/leader-election.ts';
import { FakeClock } from '../../support/fake-clock.ts';

/** An in-memory Lease with the API server's optimistic concurrency. */
class MemoryLease {
  lease?: LeaseObject;
  private rv = 0;
  storeFor(cut: () => boolean): LeaseStore {
    const check = () => {
      if (cut()) throw new Error('connection refused');
    };
    return {
      get: async () => {
        check();
        return this.lease ? structuredClone(this.lease) : undefined;
      },
      create: async (l) => {
        check();
        if (this.lease) throw new KubeApiError(409, 'AlreadyExists', 'exists');
        this.lease = {
          ...structuredClone(l),
          metadata: { ...l.metadata, resourceVersion: String(++this.rv) },
        };
        return structuredClone(this.lease);
      },
      update: async (l) => {
        check();
        if (l.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) {
          throw new KubeApiError(409, 'Conflict', 'stale');
        }
        this.lease = {
          ...structuredClone(l),
          metadata: { ...l.metadata, resourceVersion: String(++this.rv) },
        };
        return structuredClone(this.lease);
      },
    };
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

async function step(clock: FakeClock, ms: number, by = 500): Promise<void> {
  for (let t = 0; t < ms; t += by) {
    clock.advance(by);
    await settle();
  }
}

function elector(mem: MemoryLease, clock: FakeClock, identity: string, log: string[], cut = () => false) {
  return new LeaderElector({
    store: mem.storeFor(cut),
    namespace: 'mwop-system',
    name: 'mwop-leader',
    identity,
    clock,
    onStartedLeading: () => log.push(`${identity} leads`),
    onStoppedLeading: () => log.push(`${identity} stops`),
  });
}

describe('LeaderElector', () => {
  it('elects exactly one of two candidates', async () => {
    const clock = new FakeClock();
    const mem = new MemoryLease();
    const log: string[] = [];
    const a = elector(mem, clock, 'a', log);
    const b = elector(mem, clock, 'b', log);
    a.start();
    await settle();
    b.start();
    await step(clock, 20_000);
    expect(log).toEqual(['a leads']);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(mem.lease?.spec.holderIdentity).toBe('a');
  });

  it('a partitioned leader stops after the renew deadline, and the other takes over after the lease expires', async () => {
    const clock = new FakeClock();
    const mem = new MemoryLease();
    const log: string[] = [];
    let partitioned = false;
    const a = elector(mem, clock, 'a', log, () => partitioned);
    const b = elector(mem, clock, 'b', log);
    a.start();
    await settle();
    b.start();
    await step(clock, 4_000);
    partitioned = true;
    await step(clock, 10_000);
    expect(log).toEqual(['a leads', 'a stops']);
    await step(clock, 8_000);
    expect(log).toEqual(['a leads', 'a stops', 'b leads']);
    expect(mem.lease?.spec.holderIdentity).toBe('b');
    expect(mem.lease?.spec.leaseTransitions).toBe(1);
  });

  it('a leader stopped while a renewal is in flight still leaves the lease released', async () => {
    const clock = new FakeClock();
    const mem = new MemoryLease();
    const log: string[] = [];
    const store = mem.storeFor(() => false);
    // Updates are held while holdUpdates is set, then applied in the order they were made: the
    // renewal's first. With the old stop(), the release read the lease before the renewal wrote
    // it, so its own update conflicted and the renewal left this replica as the holder.
    let holdUpdates = false;
    const heldUpdates: Array<() => Promise<void>> = [];
    const letGo = async () => {
      while (heldUpdates.length > 0) await heldUpdates.shift()!();
    };
    const a = new LeaderElector({
      store: {
        ...store,
        update: (l) =>
          holdUpdates
            ? new Promise((resolve, reject) => {
                heldUpdates.push(() => store.update(l).then(resolve, reject));
              })
            : store.update(l),
      },
      namespace: 'mwop-system',
      name: 'mwop-leader',
      identity: 'a',
      clock,
      onStartedLeading: () => log.push('a leads'),
      onStoppedLeading: () => log.push('a stops'),
    });
    a.start();
    await settle();
    expect(log).toEqual(['a leads']);
    holdUpdates = true;
    await step(clock, 2_000); // a renewal round starts and waits in update()
    const stopping = a.stop();
    await settle();
    holdUpdates = false;
    await letGo();
    await stopping;
    expect(mem.lease?.spec.holderIdentity).toBe('');
    expect(log).toEqual(['a leads', 'a stops']);
  });

  it('a leader that stops releases the lease, so the successor does not wait for expiry', async () => {
    const clock = new FakeClock();
    const mem = new MemoryLease();
    const log: string[] = [];
    const a = elector(mem, clock, 'a', log);
    const b = elector(mem, clock, 'b', log);
    a.start();
    await settle();
    b.start();
    await step(clock, 2_000);
    await a.stop();
    expect(mem.lease?.spec.holderIdentity).toBe('');
    await step(clock, 2_000);
    expect(log).toEqual(['a leads', 'a stops', 'b leads']);
  });
});
