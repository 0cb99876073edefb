// kubectl mw tenant init against the real apiserver, with the real token users (docs/tenancy.md).
// The testenv users carry no groups but system:authenticated, so the shared namespace is given to
// that group: alice and bob then see and edit each other's instances there (FR-005).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { KubeApiError } from '../../../src/kube/errors.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { loadKubeConfig } from '../../../src/operator/kubeconfig.ts';
import { eventually, testenv, type User } from '../support/cluster.ts';

const repoRoot = join(import.meta.dirname, '../../..');
const sfx = randomBytes(3).toString('hex');
const shared = `tenant-shared-${sfx}`;
const dedicated = `tenant-team-${sfx}`;
const rest = (user: User) => new KubeRest(loadKubeConfig({ kubeconfig: testenv().kubeconfigs[user] }));
const mwi = (ns: string) => `/apis/mwop.dev/v1alpha1/namespaces/${ns}/middlewareinstances`;

function mw(user: User, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(
      join(repoRoot, 'bin/kubectl-mw'),
      ['--kubeconfig', testenv().kubeconfigs[user], ...args],
      { encoding: 'utf8' },
      (err, stdout, stderr) =>
        res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  const admin = rest('admin');
  // The CRDs and the mwop roles, as deploy/operator ships them.
  for (const file of ['crds/mwop.dev_middlewareinstances.yaml', 'deploy/operator/rbac/user-roles.yaml']) {
    for (const doc of parseAllDocuments(readFileSync(join(repoRoot, file), 'utf8'))) {
      const obj = doc.toJS() as { kind?: string; metadata: { name: string } } | null;
      if (!obj?.kind) continue;
      const path =
        obj.kind === 'ClusterRole'
          ? `/apis/rbac.authorization.k8s.io/v1/clusterroles/${obj.metadata.name}`
          : `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${obj.metadata.name}`;
      await admin.patch(path, obj, 'application/apply-patch+yaml', {
        query: { fieldManager: 'mwop-tenancy-test', force: true },
      });
    }
  }
}, 300_000);

afterAll(async () => {
  for (const ns of [shared, dedicated])
    await rest('admin')
      .delete(`/api/v1/namespaces/${ns}`)
      .catch(() => {});
});

const instance = (name: string) => ({
  apiVersion: 'mwop.dev/v1alpha1',
  kind: 'MiddlewareInstance',
  metadata: { name },
  spec: { type: 'redis', pluginVersion: 'v1', replicas: 1, storage: { size: '1Gi' } },
});

describe('kubectl mw tenant init', () => {
  it('shared: sets the namespace up, and every member sees and edits every instance', async () => {
    const res = await mw('admin', [
      'tenant',
      'init',
      shared,
      '--mode',
      'shared',
      '--group',
      'system:authenticated',
      '--quota',
      'cpu=4,memory=8Gi,pods=10',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`namespace/${shared} created`);
    expect(res.stdout).toContain(
      'rolebinding/mwop-edit-system-authenticated (group system:authenticated -> clusterrole mwop-edit) created',
    );
    expect(res.stdout).toContain('resourcequota/mwop-tenant (cpu=4, memory=8Gi, pods=10) created');
    expect(res.stdout).toContain('sees and may edit every instance');

    await eventually('alice may create in the shared namespace', async () => {
      try {
        return await rest('alice').post<MiddlewareInstance>(mwi(shared), instance('alices'));
      } catch (err) {
        if (err instanceof KubeApiError && err.statusCode === 403) return undefined;
        throw err;
      }
    });
    await rest('bob').post(mwi(shared), instance('bobs'));
    const seenByBob = await rest('bob').get<{ items: MiddlewareInstance[] }>(mwi(shared));
    expect(seenByBob.items.map((i) => i.metadata.name).sort()).toEqual(['alices', 'bobs']);
    await rest('bob').delete(`${mwi(shared)}/alices`);

    const again = await mw('admin', [
      'tenant',
      'init',
      shared,
      '--mode',
      'shared',
      '--group',
      'system:authenticated',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`namespace/${shared} configured`);
  });

  it('dedicated: one team per namespace; another team or another mode is refused with what to do', async () => {
    const res = await mw('admin', [
      'tenant',
      'init',
      dedicated,
      '--mode',
      'dedicated',
      '--group',
      'payments',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('note: no --quota given');
    // alice is not in group payments: RBAC refuses her.
    const denied = await rest('alice')
      .post(mwi(dedicated), instance('nope'))
      .then(
        () => undefined,
        (err: KubeApiError) => err,
      );
    expect(denied?.statusCode).toBe(403);

    const other = await mw('admin', [
      'tenant',
      'init',
      dedicated,
      '--mode',
      'dedicated',
      '--group',
      'search',
    ]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(
      `error: namespace ${dedicated} is the dedicated namespace of group payments`,
    );
    expect(other.stderr).toContain('next: give group search its own namespace');
    const mode = await mw('admin', ['tenant', 'init', dedicated, '--mode', 'shared', '--group', 'search']);
    expect(mode.stderr).toContain(`namespace ${dedicated} is already set up in dedicated mode`);
  });

  it('a user without the rights is told who can run it', async () => {
    const res = await mw('alice', [
      'tenant',
      'init',
      `tenant-x-${sfx}`,
      '--mode',
      'dedicated',
      '--group',
      'x',
    ]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('next: tenant init creates namespaces');
  });
});
