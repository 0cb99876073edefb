import { describe, expect, it } from 'vitest';
import type { MiddlewareBackup, MiddlewareInstance, MiddlewareOperation } from '../../../src/api/index.ts';
import { toCloudEvent } from '../../../src/notify/cloudevent.ts';
import {
  backupNotification,
  instanceOperationNotification,
  operationNotification,
  phaseTransition,
} from '../../../src/notify/events.ts';

describe('phaseTransition', () => {
  it.each([
    [undefined, 'Pending', undefined],
    ['Pending', 'Running', 'started'],
    [undefined, 'Running', 'started'],
    ['Running', 'Running', undefined],
    ['Running', 'Succeeded', 'succeeded'],
    ['Succeeded', 'Succeeded', undefined],
    ['Running', 'Failed', 'failed'],
    ['Running', 'Cancelled', 'failed'],
    ['Succeeded', 'Deleting', undefined],
    ['Running', undefined, undefined],
  ])('%s -> %s: %s', (from, to, want) => {
    expect(phaseTransition(from, to)).toBe(want);
  });
});

const op = (status: MiddlewareOperation['status']): MiddlewareOperation => ({
  apiVersion: 'mwop.dev/v1alpha1',
  kind: 'MiddlewareOperation',
  metadata: { name: 'failover-1', namespace: 'team-a', uid: 'u-op' },
  spec: { instanceRef: { name: 'cache' }, type: 'Failover' } as MiddlewareOperation['spec'],
  status,
});

describe('operationNotification', () => {
  it('announces a finished operation with its workflow, message and completion time', () => {
    const ev = operationNotification(
      op({
        phase: 'Failed',
        workflow: 'cache-failover-1',
        message: 'no replica in sync',
        completionTime: '2026-11-29T03:00:00Z',
      }),
      'Running',
    );
    expect(ev).toEqual({
      kind: 'operation',
      phase: 'failed',
      namespace: 'team-a',
      name: 'failover-1',
      uid: 'u-op',
      instance: 'cache',
      operation: 'Failover',
      workflow: 'cache-failover-1',
      message: 'no replica in sync',
      time: new Date('2026-11-29T03:00:00Z'),
    });
  });

  it('says when a failure was a cancellation, and stays quiet on repeats', () => {
    expect(operationNotification(op({ phase: 'Cancelled' }), 'Running')?.message).toBe('cancelled');
    expect(operationNotification(op({ phase: 'Running' }), 'Running')).toBeUndefined();
  });
});

describe('backupNotification', () => {
  it('carries where the backup went, how big it is and its checksum', () => {
    const backup: MiddlewareBackup = {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareBackup',
      metadata: { name: 'nightly-1', namespace: 'team-a', uid: 'u-b' },
      spec: { instanceRef: { name: 'cache' } } as MiddlewareBackup['spec'],
      status: {
        phase: 'Succeeded',
        storage: 'minio',
        bucket: 'backups',
        path: 'team-a/cache/nightly-1/data.rdb',
        size: 4096,
        sha256: 'a'.repeat(64),
        completionTime: '2026-11-29T03:10:00Z',
      },
    };
    expect(backupNotification(backup, 'Running')).toMatchObject({
      kind: 'backup',
      phase: 'succeeded',
      instance: 'cache',
      backup: {
        storage: 'minio',
        location: 's3://backups/team-a/cache/nightly-1/data.rdb',
        sizeBytes: 4096,
        sha256: 'a'.repeat(64),
      },
    });
  });
});

describe('instanceOperationNotification', () => {
  it('makes the instance the subject of changes that have no MiddlewareOperation', () => {
    const instance = {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareInstance',
      metadata: { name: 'cache', namespace: 'team-a', uid: 'u-i' },
      spec: {},
    } as unknown as MiddlewareInstance;
    const ev = instanceOperationNotification(instance, {
      operation: 'ScaleOut',
      workflow: 'cache-scale-out-g3',
      previousPhase: 'Pending',
      phase: 'Running',
    })!;
    const ce = toCloudEvent(ev, { source: 's' });
    expect(ce.type).toBe('dev.mwop.operation.started');
    expect(ce.subject).toBe('namespaces/team-a/middlewareinstances/cache');
    expect(ce.data).toMatchObject({ kind: 'MiddlewareInstance', operation: 'ScaleOut', instance: 'cache' });
  });
});
