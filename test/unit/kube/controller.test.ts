import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Controller } from '../../../src/kube/controller.ts';
import { TerminalError } from '../../../src/kube/errors.ts';
import { buildEvent, microTime } from '../../../src/kube/events.ts';
import { WorkQueue } from '../../../src/kube/work-queue.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const log = createLogger({ level: 'silent' });

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('Controller', () => {
  it('retries a failing key with backoff, and stops retrying after success', async () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    let fail = 2;
    const c = new Controller({
      name: 't',
      log,
      queue: new WorkQueue({ clock }),
      reconcile: async (key) => {
        calls.push(key);
        if (fail-- > 0) throw new Error('transient');
        return undefined;
      },
    });
    c.start();
    c.enqueue('ns/a');
    await settle();
    expect(calls).toEqual(['ns/a']);
    clock.advance(5);
    await settle();
    clock.advance(10);
    await settle();
    expect(calls).toEqual(['ns/a', 'ns/a', 'ns/a']);
    expect(c.queue.numRequeues('ns/a')).toBe(0);
    await c.stop(100);
  });

  it('does not retry a TerminalError and counts it as an error', async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    let calls = 0;
    const c = new Controller({
      name: 'term',
      log,
      registry,
      queue: new WorkQueue({ clock }),
      reconcile: async () => {
        calls++;
        throw new TerminalError('spec.type: unknown type "nope"');
      },
    });
    c.start();
    c.enqueue('ns/a');
    await settle();
    clock.advance(60_000);
    await settle();
    expect(calls).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="term"} 1');
    expect(text).toContain('controller_runtime_reconcile_total{controller="term",result="error"} 1');
    await c.stop(100);
  });

  it('honours requeueAfter', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const c = new Controller({
      name: 'poll',
      log,
      queue: new WorkQueue({ clock }),
      reconcile: async () => {
        calls++;
        return { requeueAfterMs: 30_000 };
      },
    });
    c.start();
    c.enqueue('k');
    await settle();
    clock.advance(29_999);
    await settle();
    expect(calls).toBe(1);
    clock.advance(1);
    await settle();
    expect(calls).toBe(2);
    await c.stop(100);
  });

  it('stop waits for an in-flight reconcile within the grace period', async () => {
    let release!: () => void;
    let finished = false;
    const c = new Controller({
      name: 'slow',
      log,
      reconcile: () =>
        new Promise((resolve) => {
          release = () => {
            finished = true;
            resolve(undefined);
          };
        }),
    });
    c.start();
    c.enqueue('k');
    await settle();
    const stopping = c.stop(5_000);
    release();
    expect(await stopping).toBe(true);
    expect(finished).toBe(true);
  });
});

describe('events', () => {
  it('builds an events.k8s.io/v1 Event regarding the object, with a micro-time', () => {
    const obj = {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareInstance',
      metadata: { name: 'cache', namespace: 'team-a', uid: 'u1', resourceVersion: '7' },
    };
    const ev = buildEvent(obj, 'Warning', 'UpgradeRefused', 'pre-upgrade refused', 'Upgrade', 0, 'pod-1');
    expect(ev.regarding).toEqual({
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareInstance',
      name: 'cache',
      namespace: 'team-a',
      uid: 'u1',
      resourceVersion: '7',
    });
    expect(ev.eventTime).toBe('1970-01-01T00:00:00.000000Z');
    expect(microTime(1234)).toBe('1970-01-01T00:00:01.234000Z');
    expect(ev.metadata).toEqual({ generateName: 'cache-', namespace: 'team-a' });
  });
});
