// A backup that starts or ends wakes its instance (src/controllers/instance/backup-events.ts);
// found by CI: an instance looked while its failed backup was still Running and stayed BackingUp.
import { describe, expect, it } from 'vitest';
import type { MiddlewareBackup } from '../../../src/api/index.ts';
import { instanceToWakeForBackup } from '../../../src/controllers/instance/backup-events.ts';

const backup = (phase?: string, labels?: Record<string, string>): MiddlewareBackup =>
  ({
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareBackup',
    metadata: { name: 'b1', namespace: 'team-a', ...(labels ? { labels } : {}) },
    spec: { instanceRef: { name: 'cache' }, storage: 's3' },
    ...(phase ? { status: { phase } } : {}),
  }) as MiddlewareBackup;

describe('instanceToWakeForBackup', () => {
  it('wakes the named instance when a backup appears, changes phase, or goes', () => {
    expect(instanceToWakeForBackup('add', backup())).toBe('team-a/cache');
    expect(instanceToWakeForBackup('update', backup('Running'), backup('Pending'))).toBe('team-a/cache');
    expect(instanceToWakeForBackup('update', backup('Failed'), backup('Running'))).toBe('team-a/cache');
    expect(instanceToWakeForBackup('update', backup('Succeeded'), backup('Running'))).toBe('team-a/cache');
    expect(instanceToWakeForBackup('delete', backup('Running'))).toBe('team-a/cache');
  });

  it('leaves the instance alone when the phase did not change or on a periodic resync', () => {
    expect(instanceToWakeForBackup('update', backup('Running', { touched: 'yes' }), backup('Running'))).toBe(
      undefined,
    );
    expect(instanceToWakeForBackup('resync', backup('Running'))).toBe(undefined);
  });

  it('ignores a backup without a namespace or an instance reference', () => {
    const noRef = { ...backup('Running'), spec: {} } as unknown as MiddlewareBackup;
    expect(instanceToWakeForBackup('add', noRef)).toBe(undefined);
    const noNs = { ...backup('Running'), metadata: { name: 'b1' } } as MiddlewareBackup;
    expect(instanceToWakeForBackup('add', noNs)).toBe(undefined);
  });
});
