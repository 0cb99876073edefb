// Owner references really cascade: KCM's garbage collector deletes dependents whose owner is gone,
// and the statefulset controller really creates pods (which stay Pending: there are no nodes).
import { describe, expect, it } from 'vitest';
import { clients, eventually, statusOf, useNamespace } from '../support/cluster.ts';

const ns = useNamespace('gc');

async function gone(read: () => Promise<unknown>): Promise<true | undefined> {
  try {
    await read();
    return undefined;
  } catch (err) {
    if (statusOf(err) === 404) return true;
    throw err;
  }
}

describe('garbage collection', () => {
  it('a background delete of the owner removes the child that references it', async () => {
    const { core } = clients('admin');
    const parent = await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'parent' }, data: { role: 'owner' } },
    });
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: {
          name: 'child',
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'parent', uid: parent.metadata?.uid as string },
          ],
        },
      },
    });
    await core.deleteNamespacedConfigMap({
      name: 'parent',
      namespace: ns.name,
      propagationPolicy: 'Background',
    });
    await eventually('child ConfigMap deleted by the garbage collector', () =>
      gone(() => core.readNamespacedConfigMap({ name: 'child', namespace: ns.name })),
    );
  });

  it('a foreground delete of a StatefulSet removes the pod its controller created', async () => {
    const { core, apps } = clients('admin');
    const labels = { app: 'gc-sts' };
    await apps.createNamespacedStatefulSet({
      namespace: ns.name,
      body: {
        metadata: { name: 'gc-sts' },
        spec: {
          replicas: 1,
          serviceName: 'gc-sts',
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'main', image: 'registry.invalid/never-pulled:1' }] },
          },
        },
      },
    });
    const pod = await eventually('the statefulset controller creates gc-sts-0', async () => {
      try {
        return await core.readNamespacedPod({ name: 'gc-sts-0', namespace: ns.name });
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw err;
      }
    });
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'StatefulSet',
      name: 'gc-sts',
      controller: true,
    });

    await apps.deleteNamespacedStatefulSet({
      name: 'gc-sts',
      namespace: ns.name,
      propagationPolicy: 'Foreground',
    });
    await eventually('gc-sts-0 deleted through its ownerReference', () =>
      gone(() => core.readNamespacedPod({ name: 'gc-sts-0', namespace: ns.name })),
    );
    await eventually('the StatefulSet itself is gone once its dependents are', () =>
      gone(() => apps.readNamespacedStatefulSet({ name: 'gc-sts', namespace: ns.name })),
    );
  });
});
