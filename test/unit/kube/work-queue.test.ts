import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/kube/backoff.ts';
import { WorkQueue } from '../../../src/kube/work-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

describe('WorkQueue', () => {
  it('deduplicates a key that is queued twice', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands a key to two workers at once; re-adds it after done', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    const first = await q.get();
    q.add('a'); // arrives while 'a' is processed
    expect(q.len()).toBe(0);
    q.done(first!);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const pending = q.get();
    q.add('x');
    expect(await pending).toBe('x');
  });

  it('addAfter fires on time and an earlier request wins', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 500);
    q.addAfter('a', 2000);
    clock.advance(499);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  it('addRateLimited backs off exponentially per key and forget resets it', () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    expect([q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a')]).toEqual([5, 10, 20]);
    expect(q.addRateLimited('b')).toBe(5);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    expect(q.addRateLimited('a')).toBe(5);
  });

  it('shutDown releases waiting workers and drops timers; drained waits for in-flight work', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add('busy');
    const key = await q.get();
    const waiting = q.get();
    q.addAfter('later', 1000);
    q.shutDown();
    expect(await waiting).toBeUndefined();
    expect(clock.pending()).toBe(0);
    let drained = false;
    const d = q.drained().then(() => {
      drained = true;
    });
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(key!);
    await d;
    expect(drained).toBe(true);
    q.add('ignored');
    expect(q.len()).toBe(0);
  });
});

describe('backoffDelay', () => {
  it('is 0 before any failure, doubles, and caps at 1000 s', () => {
    expect(backoffDelay(0)).toBe(0);
    expect(backoffDelay(1)).toBe(5);
    expect(backoffDelay(11)).toBe(5120);
    expect(backoffDelay(30)).toBe(1_000_000);
    expect(backoffDelay(1000)).toBe(1_000_000);
  });
});
