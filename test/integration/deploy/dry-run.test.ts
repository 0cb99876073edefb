// Everything in deploy/operator/ (with the CRDs and workflow templates it lists) applies to the real
// testenv apiserver with server-side apply and dryRun=All, in both variants (self-managed certificate
// and the cert-manager overlay). Then, as the operator's own ServiceAccount token, the per-namespace
// workflow RBAC is created without `escalate` or `bind`, and an escalation is refused: the
// generated ClusterRole really is enough, and no more.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KubeApiError } from '../../../src/kube/errors.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { loadKubeConfig } from '../../../src/operator/kubeconfig.ts';
import { renderWorkflowRbac } from '../../../src/workflows/rbac.ts';
import { argoCrdDir } from '../../unit/workflows/support/argo-schema.ts';
import { eventually, testenv, useNamespace } from '../support/cluster.ts';
import { Discovery, kustomize, type Manifest, serverSideApply } from './server-dry-run.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const ns = useNamespace('mwop-deploy');
const CRD = 'apiextensions.k8s.io/v1';

let rest: KubeRest;
let discovery: Discovery;
let base: Manifest[];

async function established(name: string): Promise<void> {
  await eventually(`CRD ${name} to be Established`, async () => {
    const crd = await rest.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
      resourcePath(CRD, 'CustomResourceDefinition', { name }),
    );
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
      ? true
      : undefined;
  });
}

beforeAll(async () => {
  rest = new KubeRest(loadKubeConfig({ kubeconfig: testenv().kubeconfigs.admin }));
  discovery = new Discovery(rest);
  base = await kustomize(join(root, 'deploy/operator'));

  // Step 1 of docs/install.md, for real: Argo Workflows is a prerequisite, and the workflow
  // templates are argoproj.io ClusterWorkflowTemplates. Argo's own install uses its minimal CRDs;
  // apply that one CRD only when no other test has installed Argo's CRDs already (the workflow
  // tests install the full schemas, which must not be replaced).
  const cwtCrd = 'clusterworkflowtemplates.argoproj.io';
  const present = await rest
    .get(resourcePath(CRD, 'CustomResourceDefinition', { name: cwtCrd }))
    .then(() => true)
    .catch((e: unknown) => {
      if (e instanceof KubeApiError && e.statusCode === 404) return false;
      throw e;
    });
  if (!present) {
    const minimal = join(argoCrdDir(), '../minimal/argoproj.io_clusterworkflowtemplates.yaml');
    const crd = parse(readFileSync(minimal, 'utf8')) as Manifest;
    expect(crd.metadata.name).toBe(cwtCrd);
    expect(await serverSideApply(rest, discovery, [crd], { persist: true })).toEqual([]);
  }
  await established(cwtCrd);

  // A dry-run create of a namespaced object needs its namespace to exist, so mwop-system is
  // created for real (it is left in place: other tests may hold leases in it).
  const namespace = base.filter((m) => m.kind === 'Namespace');
  expect(namespace.map((m) => m.metadata.name)).toEqual(['mwop-system']);
  expect(await serverSideApply(rest, discovery, namespace, { persist: true })).toEqual([]);
}, 300_000);

describe('deploy/operator on the real apiserver', () => {
  it('kustomize builds the base with every kind the install needs', () => {
    const kinds = new Set(base.map((m) => m.kind));
    for (const k of [
      'Namespace',
      'CustomResourceDefinition',
      'ClusterWorkflowTemplate',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'Service',
      'ValidatingWebhookConfiguration',
    ]) {
      expect(kinds.has(k), k).toBe(true);
    }
    expect(base.filter((m) => m.kind === 'CustomResourceDefinition')).toHaveLength(5);
  });

  it('every object applies with server-side dry-run (dryRun=All)', async () => {
    const failures = await serverSideApply(rest, discovery, base);
    expect(failures).toEqual([]);
  });

  it('the cert-manager overlay applies too, apart from the cert-manager objects themselves', async () => {
    const overlay = await kustomize(join(root, 'deploy/operator/overlays/cert-manager'));
    const certManager = overlay.filter((m) => m.apiVersion.startsWith('cert-manager.io/'));
    expect(certManager.map((m) => m.kind).sort()).toEqual(['Certificate', 'Issuer']);
    const vwc = overlay.find((m) => m.kind === 'ValidatingWebhookConfiguration')!;
    expect((vwc.metadata.annotations as Record<string, string>)['cert-manager.io/inject-ca-from']).toBe(
      'mwop-system/mwop-webhook',
    );
    // testenv has no cert-manager; its CRDs are not part of mwop.
    const rest_ = overlay.filter((m) => !m.apiVersion.startsWith('cert-manager.io/'));
    expect(rest_).toHaveLength(base.length);
    expect(await serverSideApply(rest, discovery, rest_)).toEqual([]);
  });
});

describe("the operator's ServiceAccount, with only the generated RBAC", () => {
  let asOperator: KubeRest;

  beforeAll(async () => {
    // Install the identity and its RBAC for real, then act with a token of that ServiceAccount.
    const identity = base.filter(
      (m) =>
        (m.kind === 'ServiceAccount' && m.metadata.name === 'mwop-operator') ||
        (['ClusterRole', 'ClusterRoleBinding'].includes(m.kind) && m.metadata.name === 'mwop-operator') ||
        (['Role', 'RoleBinding'].includes(m.kind) && m.metadata.name === 'mwop-operator-leader-election'),
    );
    expect(identity).toHaveLength(5);
    expect(await serverSideApply(rest, discovery, identity, { persist: true })).toEqual([]);
    const { status } = await rest.post<{ status: { token: string } }>(
      `${resourcePath('v1', 'ServiceAccount', { namespace: 'mwop-system', name: 'mwop-operator' })}/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
    );
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'testenv', server: testenv().server, caFile: testenv().caFile }],
      users: [{ name: 'mwop-operator', token: status.token }],
      contexts: [{ name: 'operator', cluster: 'testenv', user: 'mwop-operator' }],
      currentContext: 'operator',
    });
    asOperator = new KubeRest(kc);
  });

  it('creates the workflow ServiceAccount, Role and RoleBinding in a namespace without escalate or bind', async () => {
    const { serviceAccount, role, roleBinding } = renderWorkflowRbac(ns.name);
    const failures = await serverSideApply(
      asOperator,
      new Discovery(asOperator),
      [serviceAccount, role, roleBinding] as unknown as Manifest[],
      { persist: true, fieldManager: 'mwop-operator' },
    );
    expect(failures).toEqual([]);
  });

  it('cannot grant what it does not hold (the API server refuses the escalation)', async () => {
    const escalating = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'mwop-escalation-probe', namespace: ns.name },
      rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }],
    };
    const failures = await serverSideApply(asOperator, new Discovery(asOperator), [escalating as Manifest]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.status).toBe(403);
    expect(failures[0]!.message).toMatch(/escalat|forbidden/i);
  });

  it('renews its lease in mwop-system but cannot touch leases elsewhere', async () => {
    const lease = (namespace: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'mwop-operator-leader', namespace },
      spec: { holderIdentity: 'probe', leaseDurationSeconds: 15 },
    });
    const path = resourcePath('coordination.k8s.io/v1', 'Lease', { namespace: 'mwop-system' });
    const created = await asOperator
      .post(path, lease('mwop-system'), { query: { dryRun: 'All' } })
      .then(() => 201)
      .catch((e: unknown) => (e instanceof KubeApiError ? e.statusCode : 0));
    expect([201, 409]).toContain(created); // 409: a real operator already holds it
    const elsewhere = await asOperator
      .post(resourcePath('coordination.k8s.io/v1', 'Lease', { namespace: ns.name }), lease(ns.name), {
        query: { dryRun: 'All' },
      })
      .then(() => 201)
      .catch((e: unknown) => (e instanceof KubeApiError ? e.statusCode : 0));
    expect(elsewhere).toBe(403);
  });
});
