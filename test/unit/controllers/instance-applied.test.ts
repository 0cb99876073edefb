import { describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { appliedAfter } from '../../../src/controllers/instance/applied.ts';

const instance: MiddlewareInstance = {
  apiVersion: 'mwop.dev/v1alpha1',
  kind: 'MiddlewareInstance',
  metadata: { name: 'cache', namespace: 'team-a' },
  spec: { type: 'redis', pluginVersion: 'v2', replicas: 3, storage: { size: '1Gi' } },
};
const before = {
  replicas: 3,
  pluginVersion: 'v1',
  middlewareVersion: '7.2.11',
  storageSize: '1Gi',
  configChecksum: 'sha256:v1-config',
};
const desired = { middlewareVersion: '7.4.6', configChecksum: 'sha256:current' };

describe('appliedAfter', () => {
  it('an upgrade records the target version and the config the members restarted with', () => {
    const op = {
      kind: 'Upgrade' as const,
      fromPlugin: 'v1',
      toPlugin: 'v2',
      fromVersion: '7.2.11',
      toVersion: '7.4.6',
      configChecksum: 'sha256:v2-config',
    };
    expect(appliedAfter(op, instance, before, desired)).toEqual({
      ...before,
      pluginVersion: 'v2',
      middlewareVersion: '7.4.6',
      configChecksum: 'sha256:v2-config',
    });
  });

  it('a version switch records its config too', () => {
    const op = { kind: 'VersionSwitch' as const, from: '7.2.7', to: '7.2.11', configChecksum: 'sha256:b' };
    expect(appliedAfter(op, instance, before, desired)).toMatchObject({
      middlewareVersion: '7.2.11',
      configChecksum: 'sha256:b',
    });
  });

  it('an upgrade planned before operations carried a checksum keeps the old one, and a reload follows', () => {
    const op = {
      kind: 'Upgrade' as const,
      fromPlugin: 'v1',
      toPlugin: 'v2',
      fromVersion: '7.2.11',
      toVersion: '7.4.6',
    };
    expect(appliedAfter(op, instance, before, desired).configChecksum).toBe('sha256:v1-config');
  });

  it('changes that restart nothing keep the applied config', () => {
    expect(appliedAfter({ kind: 'ScaleOut', from: 3, to: 5 }, instance, before, desired)).toEqual({
      ...before,
      replicas: 5,
    });
  });
});
