// Admission and authorization are real: KCM's resourcequota controller computes usage and the
// ResourceQuota admission plugin rejects what exceeds it; RBAC denies a user without a binding.
import { describe, expect, it } from 'vitest';
import { clients, eventually, rejectionStatus, useNamespace } from '../support/cluster.ts';

const ns = useNamespace('quota-rbac');

describe('ResourceQuota', () => {
  it('rejects a Secret over a quota of one', async () => {
    const { core } = clients('admin');
    await core.createNamespacedResourceQuota({
      namespace: ns.name,
      body: { metadata: { name: 'one-secret' }, spec: { hard: { secrets: '1' } } },
    });
    // Admission refuses everything the quota covers until the controller has computed its usage.
    const used = await eventually('quota usage computed by kube-controller-manager', async () => {
      const q = await core.readNamespacedResourceQuota({ name: 'one-secret', namespace: ns.name });
      return q.status?.hard?.secrets === '1' ? q.status.used : undefined;
    });
    expect(used?.secrets).toBe('0');

    await core.createNamespacedSecret({
      namespace: ns.name,
      body: { metadata: { name: 'first' }, stringData: { k: 'v' } },
    });
    const rejected = await rejectionStatus(
      core.createNamespacedSecret({
        namespace: ns.name,
        body: { metadata: { name: 'second' }, stringData: { k: 'v' } },
      }),
    );
    expect(rejected.status).toBe(403);
    expect(rejected.message).toContain('exceeded quota: one-secret');
    expect(rejected.message).toContain('limited: secrets=1');
  });
});

describe('RBAC', () => {
  it('gives alice 403 where she has no RoleBinding, and bob what his binding grants', async () => {
    const { rbac } = clients('admin');
    await rbac.createNamespacedRole({
      namespace: ns.name,
      body: {
        metadata: { name: 'configmap-reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns.name,
      body: {
        metadata: { name: 'bob-reads-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }],
      },
    });
    // The authorizer sees the new binding once its informer has it.
    const list = await eventually('bob can list configmaps', async () =>
      clients('bob').core.listNamespacedConfigMap({ namespace: ns.name }),
    );
    expect(list.items).toBeDefined();

    const denied = await rejectionStatus(
      clients('alice').core.listNamespacedConfigMap({ namespace: ns.name }),
    );
    expect(denied.status).toBe(403);
    expect(denied.message).toContain('User "alice" cannot list resource "configmaps"');
    expect(denied.message).toContain(`in the namespace "${ns.name}"`);

    const write = await rejectionStatus(
      clients('bob').core.createNamespacedConfigMap({
        namespace: ns.name,
        body: { metadata: { name: 'x' } },
      }),
    );
    expect(write.status).toBe(403);
  });
});
