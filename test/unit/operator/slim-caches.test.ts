import type { V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { slimStatefulSet, slimWorkflow } from '../../../src/operator/caches.ts';
import { planWorkflow } from '../../../src/workflows/index.ts';
import { instance, plugin } from '../workflows/support/fixtures.ts';

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

describe('slimWorkflow (the Workflow cache, issue #13)', () => {
  it('keeps metadata, the entry DAG task names, entrypoint, shutdown, deadline and status; drops the arguments', () => {
    const wf = planWorkflow({ kind: 'Create', replicas: 3 }, plugin(), instance(3));
    const full = {
      ...wf,
      spec: { ...wf.spec, shutdown: 'Terminate', activeDeadlineSeconds: 600 },
      status: { phase: 'Running', nodes: {}, storedTemplates: { big: { name: 'x'.repeat(5000) } } },
    };
    const slim = slimWorkflow(full as never) as typeof full;
    expect(slim.metadata).toBe(full.metadata);
    expect(slim.status).toEqual({ phase: 'Running', nodes: {} });
    expect(slim.spec).toEqual({
      shutdown: 'Terminate',
      activeDeadlineSeconds: 600,
      templates: [
        {
          name: 'main',
          dag: {
            tasks: (wf.spec.templates ?? [])
              .find((t) => t.name === 'main')!
              .dag!.tasks.map((t) => ({ name: t.name })),
          },
        },
      ],
      ...(wf.spec.entrypoint ? { entrypoint: wf.spec.entrypoint } : {}),
    });
    // The create's arguments carry the whole StatefulSet manifest: most of the object.
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(full).length / 3);
  });
});
