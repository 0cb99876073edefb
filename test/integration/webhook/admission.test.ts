// The admission webhook served by the real operator process, registered with the real apiserver
// by URL (https://127.0.0.1:<port>/validate) and caBundle, exercised by the real token users:
// RBAC through the aggregated mwop roles, quota at apply time, CUE config errors, upgrade paths,
// published MiddlewareType versions, and `kubectl mw list -A` across namespaces.
// The operator runs without controllers here: only admission is under test, and nothing else
// should change the objects between two requests.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1ClusterRole } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { objectsIn } from '../../../hack/dev/install.ts';
import { startNamespacedOperator } from '../../../hack/dev/operator.ts';
import type { MiddlewareInstance, MiddlewareType } from '../../../src/api/index.ts';
import { serverSideApply } from '../../../src/kube/apply.ts';
import { KubeApiError } from '../../../src/kube/errors.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { loadKubeConfig } from '../../../src/operator/kubeconfig.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import { eventually, testenv, type User, useNamespace } from '../support/cluster.ts';

const repoRoot = join(import.meta.dirname, '../../..');
const nsA = useNamespace('whk-a');
const nsB = useNamespace('whk-b');
const nsC = useNamespace('whk-c');
const suffix = nsA.name.slice('whk-a-'.length);
const vwcName = `mwop-webhook-test-${suffix}`;
const testType = `whktest-${suffix}`;
const nsReader = `whktest-ns-reader-${suffix}`;
const MI = '/apis/mwop.dev/v1alpha1';
const mwi = (ns: string, name = '') => `${MI}/namespaces/${ns}/middlewareinstances${name ? `/${name}` : ''}`;

let operator: RunningOperator;
let dir: string;
const rest = (user: User) => new KubeRest(loadKubeConfig({ kubeconfig: testenv().kubeconfigs[user] }));

function instance(ns: string, name: string, spec: Partial<MiddlewareInstance['spec']> = {}) {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name, namespace: ns },
    spec: {
      type: 'redis',
      pluginVersion: 'v1',
      replicas: 1,
      resources: { requests: { cpu: '500m', memory: '512Mi' } },
      storage: { size: '1Gi' },
      ...spec,
    },
  };
}

/** The rejection of a call that must fail: status and message. */
async function rejected(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof KubeApiError) return { status: err.statusCode, message: err.message };
    throw err;
  }
  throw new Error('the request was admitted; it was expected to be rejected');
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) =>
      res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `kubectl apply -f` of one object as `user`, optionally with --dry-run=server (dryRun=All). */
function kubectlApply(user: User, obj: unknown, dryRun = false) {
  const file = join(dir, `apply-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(obj));
  return run(join(testenv().binDir, 'kubectl'), [
    '--kubeconfig',
    testenv().kubeconfigs[user],
    'apply',
    '-f',
    file,
    ...(dryRun ? ['--dry-run=server'] : []),
  ]);
}

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
/** Server-side apply by path, for kinds src/kube/gvr.ts does not list. */
const applyAt = (path: string, obj: unknown) =>
  rest('admin').patch(path, obj, 'application/apply-patch+yaml', {
    query: { fieldManager: 'mwop-webhook-test', force: true },
  });

async function bind(ns: string, user: string, role: 'mwop-edit' | 'mwop-view') {
  await applyAt(`${RBAC}/namespaces/${ns}/rolebindings/${user}-${role}`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${user}-${role}`, namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  });
}

/** POSTs an AdmissionReview straight to the operator's webhook port over TLS. */
function review(body: unknown): Promise<{ response: { allowed: boolean; status?: { message: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: operator.webhook.port,
        path: '/validate/middlewaretypes',
        method: 'POST',
        ca: operator.webhook.caPem(),
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mwop-whk-'));
  const admin = rest('admin');
  // Only what admission needs: the mwop CRDs and the shipped plugins (no Argo, no templates).
  const crds = objectsIn(join(repoRoot, 'crds'));
  for (const crd of crds) await serverSideApply(admin, crd, { timeoutMs: 120_000 });
  for (const crd of crds)
    await eventually(`CRD ${crd.metadata?.name} established`, async () => {
      const live = await admin.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata?.name}`,
      );
      return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });
  for (const type of objectsIn(join(repoRoot, 'deploy/plugins')))
    await serverSideApply(admin, type, { timeoutMs: 120_000 });
  // The user-facing ClusterRoles exactly as deploy/operator ships them.
  for (const doc of parseAllDocuments(
    readFileSync(join(repoRoot, 'deploy/operator/rbac/user-roles.yaml'), 'utf8'),
  )) {
    const obj = doc.toJS() as V1ClusterRole | null;
    if (obj?.kind) await applyAt(`${RBAC}/clusterroles/${obj.metadata?.name}`, obj);
  }
  // ops may list namespaces (a cluster-wide read many ops people have), not instances everywhere.
  await applyAt(`${RBAC}/clusterroles/${nsReader}`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: nsReader },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] }],
  });
  await applyAt(`${RBAC}/clusterrolebindings/${nsReader}`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: nsReader },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: nsReader },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ops' }],
  });
  await bind(nsA.name, 'alice', 'mwop-edit');
  await bind(nsA.name, 'ops', 'mwop-view');
  await bind(nsB.name, 'ops', 'mwop-view');

  // The webhook alone: no controllers.
  operator = await startNamespacedOperator(
    testenv().kubeconfigs.admin,
    nsA.name,
    [],
    process.env.MWOP_TEST_LOG ?? 'silent',
    () => [],
  );
  const url = `https://127.0.0.1:${operator.webhook.port}/validate`;
  const caBundle = Buffer.from(operator.webhook.caPem() ?? '').toString('base64');
  const hook = (plural: string, scope: 'Namespaced' | 'Cluster') => ({
    name: `${plural}.${suffix}.validate.mwop.dev`,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
    clientConfig: { url: `${url}/${plural}`, caBundle },
    rules: [
      {
        apiGroups: ['mwop.dev'],
        apiVersions: ['v1alpha1'],
        operations: ['CREATE', 'UPDATE'],
        resources: [plural],
        scope,
      },
    ],
    // Other test files share this apiserver: only this file's namespaces and its own type.
    ...(scope === 'Namespaced'
      ? {
          namespaceSelector: {
            matchExpressions: [
              {
                key: 'kubernetes.io/metadata.name',
                operator: 'In',
                values: [nsA.name, nsB.name, nsC.name],
              },
            ],
          },
        }
      : { objectSelector: { matchLabels: { 'mwop.dev/webhook-test': suffix } } }),
  });
  await admin.post('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: vwcName },
    webhooks: [hook('middlewareinstances', 'Namespaced'), hook('middlewaretypes', 'Cluster')],
  });
}, 300_000);

afterAll(async () => {
  const admin = rest('admin');
  await admin
    .delete(`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${vwcName}`)
    .catch(() => {});
  await admin.delete(`${MI}/middlewaretypes/${testType}`).catch(() => {});
  await admin.delete(`${RBAC}/clusterrolebindings/${nsReader}`).catch(() => {});
  await admin.delete(`${RBAC}/clusterroles/${nsReader}`).catch(() => {});
  await operator?.shutdown('test done');
  rmSync(dir, { recursive: true, force: true });
});

describe('admission webhook served by the operator, called by the real apiserver', () => {
  it('the mwop roles from deploy/operator aggregate into the built-in edit and view roles', async () => {
    const admin = rest('admin');
    for (const [builtin, verb] of [
      ['edit', 'create'],
      ['view', 'list'],
    ] as const) {
      await eventually(`ClusterRole ${builtin} gains the mwop rules`, async () => {
        const role = await admin.get<V1ClusterRole>(
          `/apis/rbac.authorization.k8s.io/v1/clusterroles/${builtin}`,
        );
        return role.rules?.some(
          (r) =>
            r.apiGroups?.includes('mwop.dev') &&
            r.resources?.includes('middlewareinstances') &&
            r.verbs.includes(verb),
        )
          ? true
          : undefined;
      });
    }
  });

  it('rejects an invalid config with the field path, once the apiserver calls the webhook', async () => {
    const alice = rest('alice');
    const bad = instance(nsA.name, 'bad-config', {
      config: { overrides: { maxmemory: 'lots' } } as never,
    });
    // The apiserver calls a new webhook once its informer has the configuration.
    const denial = await eventually('the webhook rejects a bad config', async () => {
      try {
        await alice.post(mwi(nsA.name), bad);
        await alice.delete(mwi(nsA.name, 'bad-config'));
        return undefined;
      } catch (err) {
        if (err instanceof KubeApiError && err.message.includes('spec.config.overrides')) return err;
        throw err;
      }
    });
    expect(denial.statusCode).toBe(422);
    expect(denial.message).toContain('admission webhook');
    expect(denial.message).toMatch(/spec\.config\.overrides\.maxmemory: .*"lots"/);
  });

  it('reads a configRef ConfigMap and names the path inside it; a missing one is named too', async () => {
    const alice = rest('alice');
    await rest('admin').post(`/api/v1/namespaces/${nsA.name}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'redis-conf' },
      data: { 'config.yaml': 'maxmemory: lots\n' },
    });
    const bad = await rejected(
      alice.post(
        mwi(nsA.name),
        instance(nsA.name, 'by-ref', { config: { configRef: { name: 'redis-conf' } } }),
      ),
    );
    expect(bad.message).toMatch(/spec\.config\.configRef\(redis-conf\)\.config\.yaml\.maxmemory: .*"lots"/);
    const missing = await rejected(
      alice.post(mwi(nsA.name), instance(nsA.name, 'by-ref', { config: { configRef: { name: 'absent' } } })),
    );
    expect(missing.message).toContain(
      `spec.config.configRef.name: no ConfigMap "absent" in namespace ${nsA.name}`,
    );
  });

  it('alice creates an instance in her namespace', async () => {
    const created = await rest('alice').post<MiddlewareInstance>(mwi(nsA.name), instance(nsA.name, 'cache'));
    expect(created.metadata.name).toBe('cache');
  });

  it('bob is denied there by RBAC (403)', async () => {
    const denial = await rejected(rest('bob').post(mwi(nsA.name), instance(nsA.name, 'bobs')));
    expect(denial.status).toBe(403);
    expect(denial.message).toContain('User "bob" cannot create resource "middlewareinstances"');
  });

  it('ops, bound in two of three namespaces, lists exactly those instances with kubectl mw list -A', async () => {
    await rest('admin').post(mwi(nsB.name), instance(nsB.name, 'queue'));
    await rest('admin').post(mwi(nsC.name), instance(nsC.name, 'hidden'));
    const res = await run(join(repoRoot, 'bin/kubectl-mw'), [
      '--kubeconfig',
      testenv().kubeconfigs.ops,
      'list',
      '-A',
      '-o',
      'name',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const wide = await run(join(repoRoot, 'bin/kubectl-mw'), [
      '--kubeconfig',
      testenv().kubeconfigs.ops,
      'list',
      '-A',
    ]);
    expect(wide.code, wide.stderr).toBe(0);
    const ours = wide.stdout
      .split('\n')
      .filter((l) => [nsA.name, nsB.name, nsC.name].includes(l.split(/\s+/)[0] ?? ''))
      .map((l) => l.split(/\s+/).slice(0, 2).join('/'))
      .sort();
    expect(ours, `${wide.stdout}\n${wide.stderr}`).toEqual([`${nsA.name}/cache`, `${nsB.name}/queue`]);
    expect(wide.stdout).not.toContain(nsC.name);
    expect(wide.stderr).not.toContain('note:');
    const names = res.stdout
      .split('\n')
      .filter((l) => l.endsWith('/cache') || l.endsWith('/queue') || l.endsWith('/hidden'));
    expect(names).not.toContain('middlewareinstance.mwop.dev/hidden');
    // And a namespace without access is a clear permission error, not an empty list.
    const denied = await run(join(repoRoot, 'bin/kubectl-mw'), [
      '--kubeconfig',
      testenv().kubeconfigs.ops,
      'list',
      '-n',
      nsC.name,
    ]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(nsC.name);
  });

  it('rejects an over-quota instance at apply time with the exact numbers; a dry run gets the same answer; a fitting one is admitted', async () => {
    const admin = rest('admin');
    await admin.post(`/api/v1/namespaces/${nsA.name}/resourcequotas`, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'team' },
      spec: { hard: { 'requests.cpu': '1', 'requests.memory': '1Gi' } },
    });
    await eventually('the quota controller counts the quota', async () => {
      const q = await admin.get<{ status?: { used?: Record<string, string> } }>(
        `/api/v1/namespaces/${nsA.name}/resourcequotas/team`,
      );
      return q.status?.used ? true : undefined;
    });
    // 3 members × (500m + the agent's 50m) and 3 × (512Mi + 64Mi).
    const big = instance(nsA.name, 'big', { replicas: 3 });
    const expected = [
      'exceeded quota "team": requests.cpu: requested 1650m, available 1 (hard 1, used 0)',
      'exceeded quota "team": requests.memory: requested 1728Mi, available 1Gi (hard 1Gi, used 0)',
    ];
    const applied = await kubectlApply('alice', big);
    expect(applied.code).not.toBe(0);
    for (const line of expected) expect(applied.stderr).toContain(line);
    const dry = await kubectlApply('alice', big, true);
    expect(dry.code).not.toBe(0);
    for (const line of expected) expect(dry.stderr).toContain(line);
    const viaRest = await rejected(rest('alice').post(mwi(nsA.name), big, { query: { dryRun: 'All' } }));
    expect(viaRest.status).toBe(403);
    for (const line of expected) expect(viaRest.message).toContain(line);

    const fits = await kubectlApply('alice', instance(nsA.name, 'small'));
    expect(fits.code, fits.stderr).toBe(0);
    expect(fits.stdout).toContain('middlewareinstance.mwop.dev/small created');

    // Growing an existing instance counts only the growth: 1 -> 2 replicas adds 550m and 576Mi,
    // which fits; 1 -> 3 adds 1100m, which does not.
    const grow = (replicas: number) =>
      rest('alice').patch(mwi(nsA.name, 'small'), { spec: { replicas } }, 'application/merge-patch+json');
    const tooMuch = await rejected(grow(3));
    expect(tooMuch.message).toContain(
      'exceeded quota "team": requests.cpu: requested 1100m more, available 1 (hard 1, used 0)',
    );
    await grow(2);
  });

  it('rejects an illegal upgrade, admits a declared one', async () => {
    const alice = rest('alice');
    await alice.post(mwi(nsA.name), instance(nsA.name, 'upgrader', { pluginVersion: 'v2', resources: {} }));
    const down = await rejected(
      alice.patch(
        mwi(nsA.name, 'upgrader'),
        { spec: { pluginVersion: 'v1' } },
        'application/merge-patch+json',
      ),
    );
    expect(down.status).toBe(422);
    expect(down.message).toContain('spec.pluginVersion: cannot upgrade redis from v2 to v1');
    const up = await alice.patch<MiddlewareInstance>(
      mwi(nsA.name, 'cache'),
      { spec: { pluginVersion: 'v2' } },
      'application/merge-patch+json',
    );
    expect(up.spec.pluginVersion).toBe('v2');
  });

  it('refuses edits of a published MiddlewareType version: the CRD rule at the apiserver, and our webhook says which field', async () => {
    const admin = rest('admin');
    const redis = await admin.get<MiddlewareType>(`${MI}/middlewaretypes/redis`);
    const type: MiddlewareType = {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareType',
      metadata: { name: testType, labels: { 'mwop.dev/webhook-test': suffix } },
      spec: { ...redis.spec, versions: [redis.spec.versions[0]!] },
    };
    const created = await admin.post<MiddlewareType>(`${MI}/middlewaretypes`, type);
    const edited = structuredClone(created);
    edited.spec.versions[0]!.scalingRules = { minReplicas: 1, maxReplicas: 2 };
    const denial = await rejected(admin.put(`${MI}/middlewaretypes/${testType}`, edited));
    expect(denial.status).toBe(422);
    expect(denial.message).toContain('published plugin versions are immutable (FR-015)');

    // The CRD's CEL rule runs before validating webhooks, so the apiserver never forwards this
    // edit; the same request sent to the operator's webhook gets the field-level answer.
    const answer = await review({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'edit-published',
        kind: { group: 'mwop.dev', version: 'v1alpha1', kind: 'MiddlewareType' },
        operation: 'UPDATE',
        object: edited,
        oldObject: created,
      },
    });
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain(
      'spec.versions[pluginVersion=v1]: published plugin versions are immutable (FR-015); changed: scalingRules.maxReplicas',
    );
  });
});
