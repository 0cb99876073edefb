import type { V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { slimStatefulSet } from '../../../src/operator/caches.ts';

describe('slimStatefulSet (the StatefulSet cache, issue #13)', () => {
  it('keeps what the instance reconciler reads and drops the pod template', () => {
    const claim = { metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } };
    const sts: V1StatefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: 'cache',
        namespace: 'team-a',
        generation: 3,
        labels: { 'mwop.dev/instance': 'cache' },
      },
      spec: {
        replicas: 3,
        serviceName: 'cache-headless',
        selector: { matchLabels: { app: 'cache' } },
        template: {
          spec: {
            containers: [{ name: 'redis', image: 'redis:7', env: [{ name: 'A', value: 'x'.repeat(1000) }] }],
          },
        },
        volumeClaimTemplates: [claim],
      },
      status: { replicas: 3, readyReplicas: 2 },
    };
    const slim = slimStatefulSet(sts);
    expect(slim).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: sts.metadata,
      spec: { replicas: 3, volumeClaimTemplates: [claim] },
      status: { replicas: 3, readyReplicas: 2 },
    });
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(sts).length / 3);
  });
});
