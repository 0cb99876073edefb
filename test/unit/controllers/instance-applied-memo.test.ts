// The instance reconciler with an AppliedMemo (issue #13): a steady instance reconciled again with
// nothing changed sends no request at all (no apply, no Secret lookup, no status write); a changed
// child, a StatefulSet changed by someone else, or an operation makes it apply again.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import type { InstanceDeps } from '../../../src/controllers/instance/deps.ts';
import { InstanceReconciler } from '../../../src/controllers/instance/reconcile.ts';
import { AppliedMemo } from '../../../src/kube/applied-memo.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';
import { createLogger } from '../../../src/log/logger.ts';

const NOW = new Date('2026-11-29T06:00:00Z');

function mapCache<T extends KubernetesObject>(items: T[] = []) {
  const m = new Map(items.map((o) => [`${o.metadata?.namespace}/${o.metadata?.name}`, o]));
  return {
    set: (o: T) => m.set(`${o.metadata?.namespace}/${o.metadata?.name}`, o),
    get: (ns: string | undefined, name: string) => m.get(`${ns}/${name}`),
    list: (ns?: string) => [...m.values()].filter((o) => ns === undefined || o.metadata?.namespace === ns),
  };
}

/** `fresh`: an instance just created, with no finalizer and no status yet. */
function setup({ fresh = false } = {}) {
  const calls: string[] = [];
  let stsGeneration = 1;
  const rest = {
    async patch(path: string, body: KubernetesObject) {
      calls.push(`PATCH ${path}`);
      if (path.endsWith('/middlewareinstances/cache')) {
        // What the apiserver returns for the finalizer patch: the whole object, patched.
        const stored = instances.get('team-a', 'cache')!;
        return { ...stored, metadata: { ...stored.metadata, ...body.metadata } };
      }
      return path.includes('statefulsets')
        ? { ...body, metadata: { ...body.metadata, generation: stsGeneration } }
        : body;
    },
    async get(path: string) {
      calls.push(`GET ${path}`);
      return {};
    },
    async post(path: string) {
      calls.push(`POST ${path}`);
      return {};
    },
  } as unknown as KubeRest;
  let configValue = 'a';
  const objects = (): KubernetesObject[] => [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace: 'team-a', name: 'cache-config' },
      data: { v: configValue },
    } as KubernetesObject,
    { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'team-a', name: 'cache' } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { namespace: 'team-a', name: 'cache' } },
  ];
  const instance: MiddlewareInstance = {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: {
      namespace: 'team-a',
      name: 'cache',
      generation: 1,
      ...(fresh ? {} : { finalizers: ['mwop.dev/finalizer'] }),
    },
    spec: { type: 'redis', pluginVersion: 'v1', replicas: 1, storage: { size: '1Gi' } },
    status: fresh
      ? {}
      : {
          applied: {
            pluginVersion: 'v1',
            middlewareVersion: '7.2.11',
            replicas: 1,
            storageSize: '1Gi',
            configChecksum: 'sum',
          },
        },
  };
  const statefulSets = mapCache([
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { namespace: 'team-a', name: 'cache', generation: 1 },
      status: { replicas: 1, readyReplicas: 1 },
    },
  ]);
  const instances = mapCache([instance]);
  const deps: InstanceDeps = {
    resolve: () =>
      ({
        typeName: 'redis',
        middleware: { version: '7.2.11' },
        version: { scalingRules: { minReplicas: 1, maxReplicas: 9 }, workload: { ports: [{ port: 6379 }] } },
      }) as never,
    canUpgrade: () => ({ ok: true }),
    validateConfig: async () => ({ ok: true, config: { checksum: 'sum' } }) as never,
    renderObjects: () => objects(),
    planWorkflow: async ({ name }) => {
      if (!fresh) throw new Error('no operation expected');
      return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name } } as never;
    },
    mirrorWorkflow: () => ({ phase: 'Running' }),
    compareQuantity: () => 0,
  };
  const reconciler = new InstanceReconciler({
    rest,
    deps,
    events: { record() {} } as never,
    log: createLogger({ level: 'silent' }),
    caches: { instances, statefulSets, workflows: mapCache(), pods: mapCache() },
    now: () => NOW,
    applied: new AppliedMemo(),
  });
  return {
    calls,
    reconciler,
    instances,
    statefulSets,
    setConfig: (v: string) => {
      configValue = v;
    },
    bumpSts: () => {
      stsGeneration++;
      statefulSets.set({
        ...statefulSets.get('team-a', 'cache')!,
        metadata: { namespace: 'team-a', name: 'cache', generation: stsGeneration },
      });
    },
  };
}

async function reconcileSettled(s: ReturnType<typeof setup>) {
  await s.reconciler.reconcile('team-a/cache');
}

describe('the first reconcile of a new instance', () => {
  it('adds the finalizer and, in the same pass, applies the children and starts the create workflow', async () => {
    const s = setup({ fresh: true });
    await s.reconciler.reconcile('team-a/cache');
    const requests = s.calls.filter((c) => !c.endsWith('/status') && !c.includes('/secrets/'));
    expect(requests[0]).toBe('PATCH /apis/mwop.dev/v1alpha1/namespaces/team-a/middlewareinstances/cache');
    expect(requests.at(-1)).toBe('POST /apis/argoproj.io/v1alpha1/namespaces/team-a/workflows');
  });
});

describe('InstanceReconciler with an AppliedMemo', () => {
  it('applies every child once, then sends nothing for an unchanged steady instance', async () => {
    const s = setup();
    await reconcileSettled(s);
    const first = s.calls.filter((c) => c.startsWith('PATCH') && !c.endsWith('/status'));
    expect(first).toHaveLength(3);
    expect(s.calls.some((c) => c.startsWith('GET') && c.includes('/secrets/cache-credentials'))).toBe(true);
    // (The test cache is not fed by the status patch, so status writes are left out here; that an
    // unchanged status is not written is test/unit/kube/merge-patch.test.ts.)
    s.calls.length = 0;
    await reconcileSettled(s);
    expect(s.calls.filter((c) => !c.endsWith('/status'))).toEqual([]);
  });

  it('applies a child again when its rendered content changes, and only that child', async () => {
    const s = setup();
    await reconcileSettled(s);
    s.calls.length = 0;
    s.setConfig('b');
    await reconcileSettled(s);
    expect(s.calls.filter((c) => !c.endsWith('/status'))).toEqual([
      'PATCH /api/v1/namespaces/team-a/configmaps/cache-config',
    ]);
  });

  it('applies the StatefulSet again when someone else changed it (a new generation)', async () => {
    const s = setup();
    await reconcileSettled(s);
    s.calls.length = 0;
    s.bumpSts(); // e.g. kubectl edit: the cache shows generation 2, our apply left 1
    await reconcileSettled(s);
    expect(s.calls.filter((c) => !c.endsWith('/status'))).toEqual([
      'PATCH /apis/apps/v1/namespaces/team-a/statefulsets/cache',
    ]);
    s.calls.length = 0;
    await reconcileSettled(s); // our apply recorded generation 2: nothing more
    expect(s.calls.filter((c) => !c.endsWith('/status'))).toEqual([]);
  });
});
