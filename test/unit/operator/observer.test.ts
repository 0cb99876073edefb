import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { MiddlewareBackup, MiddlewareInstance, MiddlewareOperation } from '../../../src/api/index.ts';
import type { InformerHandler } from '../../../src/kube/informer.ts';
import { createLogger } from '../../../src/log/logger.ts';
import type { NotificationEvent } from '../../../src/notify/index.ts';
import { instanceTransitions, observeLifecycle } from '../../../src/operator/observer.ts';

class FakeCache<T> {
  items: T[] = [];
  handlers: InformerHandler<T>[] = [];
  on(h: InformerHandler<T>) {
    this.handlers.push(h);
  }
  list() {
    return this.items;
  }
  emit(type: 'add' | 'update', obj: T, old?: T) {
    for (const h of this.handlers) h(type, obj, old);
  }
}

function instance(status: MiddlewareInstance['status'], phase = 'Running'): MiddlewareInstance {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: 'cache', namespace: 'team-a', uid: 'u1' },
    spec: { type: 'redis', pluginVersion: 'v1', middlewareVersion: '7.2.11', replicas: 1 },
    status: { phase: phase as never, ...status },
  } as MiddlewareInstance;
}

const create = { name: 'cache-create-g1', type: 'Create', workflow: 'cache-create-g1', phase: 'Pending' };

function setup() {
  const caches = {
    instances: new FakeCache<MiddlewareInstance>(),
    operations: new FakeCache<MiddlewareOperation>(),
    backups: new FakeCache<MiddlewareBackup>(),
  };
  const sent: NotificationEvent[] = [];
  const registry = new Registry();
  observeLifecycle({
    caches,
    notifier: { notify: (ev) => sent.push(ev) },
    registry,
    log: createLogger({ level: 'silent' }),
  });
  return { caches, sent, registry };
}

describe('instanceTransitions', () => {
  it('a new current operation is started; a new finished record is its result', () => {
    const a = instance({});
    const b = instance({ operations: { current: create } }, 'Initializing');
    const c = instance({ operations: { recent: [{ ...create, phase: 'Succeeded' }] } });
    expect(instanceTransitions(a, b).started.map((e) => [e.phase, e.operation])).toEqual([
      ['started', 'Create'],
    ]);
    const done = instanceTransitions(b, c);
    expect(done.started).toEqual([]);
    expect(done.finished.map((f) => [f.type, f.phase, f.event?.phase])).toEqual([
      ['Create', 'Succeeded', 'succeeded'],
    ]);
    // A repeated status write announces nothing again.
    expect(instanceTransitions(c, c)).toEqual({ started: [], finished: [] });
  });
});

describe('observeLifecycle', () => {
  it('announces and counts update transitions only, never the initial list', async () => {
    const { caches, sent, registry } = setup();
    const done = instance({ operations: { recent: [{ ...create, phase: 'Failed', message: 'boom' }] } });
    caches.instances.emit('add', done); // initial list: history, not news
    expect(sent).toEqual([]);
    const before = instance({ operations: { current: create } }, 'Initializing');
    caches.instances.emit('update', done, before);
    expect(sent.map((e) => [e.kind, e.phase, e.operation, e.message])).toEqual([
      ['operation', 'failed', 'Create', 'boom'],
    ]);
    caches.instances.items = [done, { ...done, status: { phase: 'Pending' } } as MiddlewareInstance];
    const text = await registry.metrics();
    expect(text).toContain('mwop_operations_total{type="Create",result="Failed"} 1');
    expect(text).toContain('mwop_instances{type="redis",phase="Running"} 1');
    expect(text).toContain('mwop_instances{type="redis",phase="Pending"} 1');
  });

  it('backups: results counted, the size of a succeeded one observed and announced', async () => {
    const { caches, sent, registry } = setup();
    const backup = (phase?: string, size?: number) =>
      ({
        apiVersion: 'mwop.dev/v1alpha1',
        kind: 'MiddlewareBackup',
        metadata: { name: 'nightly', namespace: 'team-a' },
        spec: { instanceRef: { name: 'cache' } },
        status: phase
          ? { phase, ...(size ? { size, storage: 's3', bucket: 'b', path: 'p' } : {}) }
          : undefined,
      }) as MiddlewareBackup;
    caches.backups.emit('update', backup('Running'), backup());
    caches.backups.emit('update', backup('Succeeded', 2048), backup('Running'));
    expect(sent.map((e) => [e.kind, e.phase, e.backup?.sizeBytes])).toEqual([
      ['backup', 'started', undefined],
      ['backup', 'succeeded', 2048],
    ]);
    const text = await registry.metrics();
    expect(text).toContain('mwop_backups_total{result="Succeeded"} 1');
    expect(text).toContain('mwop_backup_size_bytes_count 1');
    expect(text).toContain('mwop_backup_last_size_bytes{namespace="team-a",instance="cache"} 2048');
  });

  it('MiddlewareOperations: started and finished by type', async () => {
    const { caches, sent, registry } = setup();
    const op = (phase?: string) =>
      ({
        apiVersion: 'mwop.dev/v1alpha1',
        kind: 'MiddlewareOperation',
        metadata: { name: 'restart-1', namespace: 'team-a' },
        spec: { instanceRef: { name: 'cache' }, type: 'Restart' },
        status: phase ? { phase } : undefined,
      }) as MiddlewareOperation;
    caches.operations.emit('update', op('Running'), op());
    caches.operations.emit('update', op('Running'), op('Running'));
    caches.operations.emit('update', op('Succeeded'), op('Running'));
    expect(sent.map((e) => e.phase)).toEqual(['started', 'succeeded']);
    const text = await registry.metrics();
    expect(text).toContain('mwop_operations_started_total{type="Restart"} 1');
    expect(text).toContain('mwop_operations_total{type="Restart",result="Succeeded"} 1');
  });
});
