// Argo's full CRDs (argo-workflows v3.7, manifests/base/crds/full) applied with server-side apply
// to the real testenv apiserver; then the ClusterWorkflowTemplates from workflow-templates/, the
// per-namespace workflow RBAC, and one Workflow per operation are created there. Nothing may be
// pruned by the structural schemas, and the workflows go when their instance goes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { serverSideApply } from '../../../src/kube/apply.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { loadKubeConfig } from '../../../src/operator/kubeconfig.ts';
import {
  type ClusterWorkflowTemplate,
  planWorkflow,
  renderWorkflowRbac,
  type Workflow,
} from '../../../src/workflows/index.ts';
import { OPERATIONS } from '../../unit/workflows/plan-operations.ts';
import { argoCrdDir } from '../../unit/workflows/support/argo-schema.ts';
import { instance as instanceFixture, plugin } from '../../unit/workflows/support/fixtures.ts';
import { eventually, testenv, useNamespace } from '../support/cluster.ts';
import { droppedPaths, readYaml } from './manifests.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const ns = useNamespace('mwop-wf');
const CRD = 'apiextensions.k8s.io/v1';

interface CrdObject extends KubernetesObject {
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

let rest: KubeRest;
let instance: MiddlewareInstance;

beforeAll(async () => {
  rest = new KubeRest(loadKubeConfig({ kubeconfig: testenv().kubeconfigs.admin }));
  const dir = argoCrdDir();
  const files = readdirSync(dir).filter((f) => f.startsWith('argoproj.io_') && f.endsWith('.yaml'));
  expect(files).toContain('argoproj.io_workflows.yaml');
  for (const f of files) await serverSideApply(rest, readYaml<CrdObject>(dir, f));
  for (const f of files) {
    const name = readYaml<CrdObject>(dir, f).metadata?.name as string;
    await eventually(`CRD ${name} to be Established`, async () => {
      const crd = await rest.get<CrdObject>(resourcePath(CRD, 'CustomResourceDefinition', { name }));
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });
  }
  // Our own CRDs, for a real owner.
  await serverSideApply(rest, readYaml<CrdObject>(join(root, 'crds'), 'mwop.dev_middlewareinstances.yaml'));
  await eventually('the MiddlewareInstance CRD to be Established', async () => {
    const crd = await rest.get<CrdObject>(
      resourcePath(CRD, 'CustomResourceDefinition', { name: 'middlewareinstances.mwop.dev' }),
    );
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
      ? true
      : undefined;
  });
  const { status: _status, ...fixture } = instanceFixture(3);
  instance = await serverSideApply(rest, {
    ...fixture,
    metadata: { name: 'cache', namespace: ns.name },
  } as MiddlewareInstance);
}, 600_000);

describe('ClusterWorkflowTemplates from workflow-templates/', () => {
  const files = readdirSync(join(root, 'workflow-templates')).filter((f) => f.endsWith('.yaml'));
  it('there are seven', () => {
    expect(files).toHaveLength(7);
  });
  for (const f of files) {
    it(`${f} applies and is stored without anything pruned`, async () => {
      const cwt = parse(readFileSync(join(root, 'workflow-templates', f), 'utf8')) as ClusterWorkflowTemplate;
      const stored = await serverSideApply(rest, cwt as unknown as KubernetesObject);
      expect(droppedPaths(cwt.spec, (stored as unknown as ClusterWorkflowTemplate).spec)).toEqual([]);
    });
  }
});

describe('workflow RBAC', () => {
  it('the ServiceAccount, Role and RoleBinding apply in the instance namespace', async () => {
    const rbac = renderWorkflowRbac(ns.name);
    for (const obj of [rbac.serviceAccount, rbac.role, rbac.roleBinding]) {
      const stored = await serverSideApply(rest, obj as unknown as KubernetesObject);
      expect(stored.metadata?.namespace).toBe(ns.name);
    }
  });
});

describe('one Workflow per operation', () => {
  for (const { op, observed } of OPERATIONS) {
    it(`${op.kind} is created as planned, owned by the instance`, async () => {
      const wf = planWorkflow(op, plugin(), instance, observed);
      const created = await rest.post<Workflow>(
        resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace: ns.name }),
        wf,
      );
      expect(droppedPaths(wf.spec, created.spec)).toEqual([]);
      expect(created.metadata.ownerReferences?.[0]?.uid).toBe(instance.metadata.uid);
      // The same name again is a conflict: a restarted operator adopts instead of duplicating.
      await expect(
        rest.post(resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace: ns.name }), wf),
      ).rejects.toMatchObject({ statusCode: 409 });
    });
  }

  it('the workflows are garbage-collected with their instance (no finalizer holds them)', async () => {
    await rest.request(
      'DELETE',
      resourcePath('mwop.dev/v1alpha1', 'MiddlewareInstance', { namespace: ns.name, name: 'cache' }),
      {
        query: { propagationPolicy: 'Background' },
      },
    );
    await eventually('the instance workflows to be deleted by the garbage collector', async () => {
      const list = await rest.get<{ items: Workflow[] }>(
        resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace: ns.name }),
      );
      return list.items.length === 0 ? true : undefined;
    });
  });
});
