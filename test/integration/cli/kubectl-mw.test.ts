// The real bin/kubectl-mw against the real testenv control plane, as alice, bob, ops and admin.
// No operator runs here: where a command waits for or reads what the operator writes, the test
// writes that status itself (through the status subresource), exactly as the operator would.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type {
  MiddlewareBackup,
  MiddlewareInstance,
  MiddlewareOperation,
  MiddlewareType,
} from '../../../src/api/index.ts';
import { metadataKey, serializeMetadata } from '../../../src/backup/metadata.ts';
import { createS3Client } from '../../../src/backup/s3/client.ts';
import { putText } from '../../../src/backup/s3/transfer.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';
import { type S3Server, startS3Server } from '../../support/s3-server.ts';
import { redisType, typeVersion } from '../../unit/cli/type-fixtures.ts';
import { createWorkflow } from '../../unit/cli/workflow-fixtures.ts';
import {
  adminRest,
  createNamespace,
  deleteIfExists,
  ensureCrds,
  ensureWorkflowCrd,
  grant,
  grantTypeReader,
  mw,
  mwBackground,
  waitFor,
} from './env.ts';

const sfx = randomBytes(3).toString('hex');
const nsA = `clitest-a-${sfx}`;
const nsB = `clitest-b-${sfx}`;
const nsC = `clitest-c-${sfx}`;
const typeName = `clitest-redis-${sfx}`;
const storageName = `clitest-s3-${sfx}`;
const MERGE = 'application/merge-patch+json';
let rest: KubeRest;
let s3: S3Server | undefined;

const mwi = (ns: string, name = '') =>
  `/apis/mwop.dev/v1alpha1/namespaces/${ns}/middlewareinstances${name ? `/${name}` : ''}`;
const mwo = (ns: string) => `/apis/mwop.dev/v1alpha1/namespaces/${ns}/middlewareoperations`;
const mwb = (ns: string, name = '') =>
  `/apis/mwop.dev/v1alpha1/namespaces/${ns}/middlewarebackups${name ? `/${name}` : ''}`;
const wfPath = (ns: string, name = '') =>
  `/apis/argoproj.io/v1alpha1/namespaces/${ns}/workflows${name ? `/${name}` : ''}`;

function theType(): MiddlewareType {
  const t = redisType([typeVersion('v3', { upgradeFrom: ['v2'] })]);
  t.metadata = { name: typeName };
  return t;
}

/** Writes status the way the operator does: a merge patch on the status subresource. */
async function setStatus(ns: string, name: string, status: MiddlewareInstance['status']): Promise<void> {
  await rest.patch(`${mwi(ns, name)}/status`, { status }, MERGE);
}

/** Creates (or replaces) a Workflow object with the status given. */
async function putWorkflow(ns: string, wf: ReturnType<typeof createWorkflow>, name: string): Promise<void> {
  await deleteIfExists(rest, wfPath(ns, name));
  const { status, ...body } = wf;
  await rest.post(wfPath(ns), {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    ...body,
    metadata: { name, namespace: ns },
  });
  // Argo's CRD keeps status in the main resource (no status subresource).
  await rest.patch(
    wfPath(ns, name),
    { status: { ...status, nodes: renameNodes(status?.nodes ?? {}, name) } },
    MERGE,
  );
}

/** The fixture names nodes after cache-create-g1; rename them after the real workflow. */
function renameNodes(nodes: Record<string, { name?: string }>, wfName: string) {
  return Object.fromEntries(
    Object.entries(nodes).map(([id, n]) => [id, { ...n, name: n.name?.replace(/^cache-create-g1/, wfName) }]),
  );
}

async function getInstance(ns: string, name: string): Promise<MiddlewareInstance> {
  return rest.get<MiddlewareInstance>(mwi(ns, name));
}

beforeAll(async () => {
  rest = adminRest();
  await ensureCrds(rest);
  await ensureWorkflowCrd(rest);
  for (const ns of [nsA, nsB, nsC]) await createNamespace(rest, ns);
  await rest.post('/apis/mwop.dev/v1alpha1/middlewaretypes', theType());
  await grant(rest, nsA, 'alice', true);
  await grant(rest, nsA, 'ops', false);
  await grant(rest, nsB, 'ops', false);
  for (const u of ['alice', 'bob', 'ops']) await grantTypeReader(rest, u);
  // ops may list namespaces (a cluster-wide read many ops people have), but not instances everywhere.
  await rest.post('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `clitest-ns-reader-${sfx}` },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] }],
  });
  await rest.post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `clitest-ns-reader-${sfx}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `clitest-ns-reader-${sfx}` },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ops' }],
  });
  // Wait until RBAC serves the new bindings (the authorizer's cache catches up asynchronously).
  await waitFor(async () => (await mw('alice', ['list', '-n', nsA])).code === 0);
  await waitFor(async () => (await mw('ops', ['list', '-n', nsB])).code === 0);
}, 300_000);

afterAll(async () => {
  await s3?.stop();
  if (!rest) return;
  for (const ns of [nsA, nsB, nsC]) await deleteIfExists(rest, `/api/v1/namespaces/${ns}`);
  await deleteIfExists(rest, `/apis/mwop.dev/v1alpha1/middlewaretypes/${typeName}`);
  await deleteIfExists(rest, `/apis/mwop.dev/v1alpha1/backupstorages/${storageName}`);
  await deleteIfExists(
    rest,
    `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/clitest-ns-reader-${sfx}`,
  );
  await deleteIfExists(rest, `/apis/rbac.authorization.k8s.io/v1/clusterroles/clitest-ns-reader-${sfx}`);
});

describe('create', () => {
  it('creates an instance with the defaults and says what it picked', async () => {
    const r = await mw('alice', ['create', typeName, 'cache', '-n', nsA]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('middlewareinstance.mwop.dev/cache created\n');
    expect(r.stdout).toContain(
      `defaults: plugin version v3 (newest), ${typeName} 7.2.11 (the plugin's default), preset small, 1 replica, storage 2Gi\n`,
    );
    const i = await getInstance(nsA, 'cache');
    expect(i.spec).toMatchObject({
      type: typeName,
      pluginVersion: 'v3',
      middlewareVersion: '7.2.11',
      replicas: 1,
      storage: { size: '2Gi' },
      config: { preset: 'small' },
    });
  });

  it('sends typed, nested --set overrides and the other flags', async () => {
    const r = await mw('alice', [
      'create',
      typeName,
      'old',
      '-n',
      nsA,
      '--plugin-version',
      'v1',
      '--version',
      '7.2.7',
      '--replicas',
      '2',
      '--preset',
      'medium',
      '--set',
      'maxmemory=1gb',
      '--set',
      'tls.auth-clients=optional',
      '--storage',
      '5Gi',
      '--expose',
      'NodePort',
    ]);
    expect(r.code).toBe(0);
    expect((await getInstance(nsA, 'old')).spec).toMatchObject({
      pluginVersion: 'v1',
      middlewareVersion: '7.2.7',
      replicas: 2,
      serviceType: 'NodePort',
      storage: { size: '5Gi' },
      config: { preset: 'medium', overrides: { maxmemory: '1gb', tls: { 'auth-clients': 'optional' } } },
    });
  });

  it('--dry-run goes through the API server but creates nothing', async () => {
    const r = await mw('alice', ['create', typeName, 'ghost', '-n', nsA, '--dry-run', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metadata.name).toBe('ghost');
    await expect(rest.get(mwi(nsA, 'ghost'))).rejects.toMatchObject({ statusCode: 404 });
  });

  it('an unknown type lists the types that exist', async () => {
    const r = await mw('alice', ['create', 'redsi', 'x', '-n', nsA]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: unknown middleware type "redsi"\n  next: use one of: ');
    expect(r.stderr).toContain(typeName);
  });

  it('a bad --set key names the allowed keys; a bad value form says how to write it', async () => {
    const r = await mw('alice', ['create', typeName, 'x', '-n', nsA, '--set', 'maxmemroy=1gb']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: --set maxmemroy: not a config key of ${typeName} plugin v3\n  next: use one of: appendonly, maxmemory, maxmemory-policy, save, tls.auth-clients\n`,
    );
    const bad = await mw('alice', ['create', typeName, 'x', '-n', nsA, '--set', 'maxmemory-policy=lru']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: the config would be invalid:\n  --set maxmemory-policy: ');
    expect(bad.stderr).toContain('(got "lru")');
    const r2 = await mw('alice', ['create', typeName, 'x', '-n', nsA, '--set', 'maxmemory']);
    expect(r2.stderr).toContain('error: --set "maxmemory": expected key=value');
  });

  it('bad versions, replicas and names are refused before anything is sent', async () => {
    expect((await mw('alice', ['create', typeName, 'x', '-n', nsA, '--version', '6.0'])).stderr).toContain(
      'next: use one of: 7.2.7, 7.2.11',
    );
    expect((await mw('alice', ['create', typeName, 'x', '-n', nsA, '--replicas', '9'])).stderr).toContain(
      `error: --replicas 9: ${typeName} plugin v3 allows 1 to 6 members`,
    );
    expect((await mw('alice', ['create', typeName, 'Bad_Name', '-n', nsA])).code).toBe(1);
  });

  it('an existing name and a namespace without access are clear errors', async () => {
    const dup = await mw('alice', ['create', typeName, 'cache', '-n', nsA]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain(`error: instance cache already exists in namespace ${nsA}`);
    const bob = await mw('bob', ['create', typeName, 'mine', '-n', nsA]);
    expect(bob.code).toBe(1);
    expect(bob.stderr).toContain(`may not create middlewareinstances in namespace ${nsA}`);
  });

  it('--wait follows the workflow step by step, then prints how to connect', async () => {
    const run = mwBackground('alice', ['create', typeName, 'waited', '-n', nsA, '--wait', '--timeout', '5m']);
    onTestFinished(run.kill);
    await waitFor(async () => Boolean(await getInstance(nsA, 'waited')));
    const wfName = 'waited-create-g1';
    const current = {
      name: wfName,
      type: 'Create',
      phase: 'Running',
      workflow: wfName,
      startedAt: new Date().toISOString(),
    };
    await putWorkflow(
      nsA,
      createWorkflow({ 'render-config': 'Succeeded', 'apply-objects': 'Running' }),
      wfName,
    );
    await setStatus(nsA, 'waited', {
      phase: 'Initializing',
      message: 'Create in progress',
      operations: { current },
    });
    // The CLI must have seen the running workflow before it finishes.
    await waitFor(async () => run.stdout().includes('▶ apply-objects Running'));
    const all = {
      $workflow: 'Succeeded',
      'render-config': 'Succeeded',
      'apply-objects': 'Succeeded',
      'wait-ready': 'Succeeded',
      'init-0': 'Succeeded',
      'init-1': 'Succeeded',
      'post-check': 'Succeeded',
    };
    await putWorkflow(nsA, createWorkflow(all), wfName);
    const i = await getInstance(nsA, 'waited');
    await setStatus(nsA, 'waited', {
      phase: 'Running',
      message: 'running',
      observedGeneration: i.metadata.generation ?? 1,
      readyReplicas: 1,
      connection: { host: `waited.${nsA}.svc`, port: 6379, secretName: 'waited-credentials' },
      operations: { current: null as never, recent: [{ ...current, phase: 'Succeeded' }] },
    });
    const r = await run.done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`runs as workflow ${wfName}`);
    expect(r.stdout).toContain('✓ render-config Succeeded');
    expect(r.stdout).toContain('waited is Running.');
    expect(r.stdout).toContain(`redis-cli -h waited.${nsA}.svc -p 6379`);
  });

  it('--wait exits 1 with the failed step and its message', async () => {
    const run = mwBackground('alice', ['create', typeName, 'doomed', '-n', nsA, '--wait']);
    onTestFinished(run.kill);
    await waitFor(async () => Boolean(await getInstance(nsA, 'doomed')));
    await setStatus(nsA, 'doomed', {
      phase: 'Failed',
      message: 'create failed',
      operations: {
        current: {
          name: 'doomed-create-g1',
          type: 'Create',
          phase: 'Failed',
          failedStep: 'init-1',
          message: 'hook POST /init returned 503',
        },
      },
    });
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: doomed failed at step init-1: hook POST /init returned 503\n');
    expect(r.stderr).toContain(`next: \`kubectl mw describe doomed -n ${nsA}\``);
  });
});

describe('list', () => {
  it('prints the kubectl-style table', async () => {
    const r = await mw('alice', ['list', '-n', nsA]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TYPE\s+VERSION\s+PHASE\s+REPLICAS\s+OPERATION\s+AGE$/);
    expect(
      lines.some((l) =>
        new RegExp(`^cache\\s+${typeName}\\s+7\\.2\\.11\\s+Pending\\s+0/1\\s+<none>\\s+\\S+$`).test(l),
      ),
    ).toBe(true);
  });

  it('-o json and -o name print the objects', async () => {
    const json = JSON.parse((await mw('alice', ['list', '-n', nsA, '-o', 'json'])).stdout);
    expect(json.kind).toBe('List');
    expect(json.items.map((i: MiddlewareInstance) => i.metadata.name)).toContain('cache');
    expect((await mw('alice', ['list', '-n', nsA, '-o', 'name'])).stdout).toContain(
      'middlewareinstance.mwop.dev/cache\n',
    );
    const bad = await mw('alice', ['list', '-n', nsA, '-o', 'xml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('next: use one of: yaml, json, wide, name');
  });

  it('an empty namespace says how to create one; a namespace without access says whom to ask', async () => {
    const empty = await mw('ops', ['list', '-n', nsB]);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain(`No middleware instances found in ${nsB} namespace.`);
    const bob = await mw('bob', ['list', '-n', nsA]);
    expect(bob.code).toBe(1);
    expect(bob.stderr).toContain(`may not list middlewareinstances in namespace ${nsA}`);
    expect(bob.stderr).toContain('kubectl mw list -A');
  });

  it('-A lists exactly the namespaces the user may list in, without cluster-wide access', async () => {
    await rest.post(mwi(nsB), {
      ...(await getInstance(nsA, 'cache')),
      metadata: { name: 'b-cache', namespace: nsB },
    });
    await rest.post(mwi(nsC), {
      ...(await getInstance(nsA, 'cache')),
      metadata: { name: 'c-cache', namespace: nsC },
    });
    const r = await mw('ops', ['list', '-A']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('clitest-'));
    expect(rows.some((l) => l.startsWith(`${nsA} `) && /\scache\s/.test(l))).toBe(true);
    expect(rows.some((l) => l.startsWith(`${nsB} `) && /\sb-cache\s/.test(l))).toBe(true);
    expect(rows.some((l) => l.startsWith(nsC))).toBe(false);
    // alice cannot even list namespaces: she is told that only her kubeconfig's were checked.
    const alice = await mw('alice', ['list', '-A', '-n', nsA]);
    expect(alice.code).toBe(0);
    expect(alice.stdout).toContain(nsA);
    expect(alice.stderr).toContain(
      'note: you may not list namespaces, so only the namespaces in your kubeconfig were checked',
    );
  });
});

describe('describe', () => {
  it("draws the current operation's DAG with the failed step's message", async () => {
    const wfName = 'cache-scale-out-g2';
    await putWorkflow(
      nsA,
      createWorkflow(
        {
          $workflow: 'Running',
          'render-config': 'Succeeded',
          'apply-objects': 'Succeeded',
          'wait-ready': 'Succeeded',
          'init-0': 'Running',
          'init-1': 'Failed',
        },
        { 'init-1': 'hook POST /init on cache-1 returned 503' },
      ),
      wfName,
    );
    await setStatus(nsA, 'cache', {
      phase: 'Scaling',
      message: 'ScaleOut in progress',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Scaling',
          message: 'scaling out',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
      operations: {
        current: { name: wfName, type: 'ScaleOut', phase: 'Running', workflow: wfName, progress: '3/6' },
      },
    });
    const r = await mw('alice', ['describe', 'cache', '-n', nsA]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Phase:         Scaling\n');
    expect(r.stdout).toContain(
      'Current operation:\n  ScaleOut cache-scale-out-g2, Running, 3/6 steps, workflow cache-scale-out-g2\n',
    );
    expect(r.stdout).toContain(
      'Current operation DAG:\n  Workflow cache-scale-out-g2: Running (3/6 steps)\n',
    );
    expect(r.stdout).toMatch(/└─ ✗ init-1\s+Failed/);
    expect(r.stdout).toContain('└─ hook POST /init on cache-1 returned 503\n');
    expect(r.stdout).toMatch(/Ready\s+False\s+Scaling/);
  });

  it('an unknown instance suggests kubectl mw list', async () => {
    const r = await mw('alice', ['describe', 'nope', '-n', nsA]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: middleware instance "nope" not found in namespace ${nsA}\n  next: \`kubectl mw list -n ${nsA}\` shows the instances there; add -n <namespace> if it lives elsewhere\n`,
    );
  });
});

describe('connect', () => {
  it('refuses before the instance has connection details', async () => {
    const r = await mw('alice', ['connect', 'old', '-n', nsA]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: instance old has no connection details yet (phase Pending)');
  });

  it('prints the connection string and a redis-cli line; the password only with --show-secret', async () => {
    await setStatus(nsA, 'old', {
      connection: { host: `old.${nsA}.svc`, port: 6379, secretName: 'old-credentials' },
    });
    await rest.post(`/api/v1/namespaces/${nsA}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'old-credentials' },
      data: { password: Buffer.from('s3cret').toString('base64') },
    });
    const r = await mw('alice', ['connect', 'old', '-n', nsA]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Connection:  redis://default:****@old.${nsA}.svc:6379\n`);
    expect(r.stdout).toContain(
      `REDISCLI_AUTH="$(kubectl get secret old-credentials -n ${nsA} -o jsonpath='{.data.password}' | base64 -d)" redis-cli -h old.${nsA}.svc -p 6379`,
    );
    expect(r.stdout).not.toContain('s3cret');
    const denied = await mw('alice', ['connect', 'old', '-n', nsA, '--show-secret']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`error: you may not read Secret old-credentials in namespace ${nsA}`);
    const shown = await mw('admin', ['connect', 'old', '-n', nsA, '--show-secret']);
    expect(shown.stdout).toContain(`REDISCLI_AUTH=s3cret redis-cli -h old.${nsA}.svc -p 6379`);
  });
});

describe('scale, upgrade, restart, switchover, cancel', () => {
  it('scale edits spec.replicas within the bounds', async () => {
    const r = await mw('alice', ['scale', 'cache', '-n', nsA, '--replicas', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('middlewareinstance.mwop.dev/cache scaled (1 -> 3)');
    expect((await getInstance(nsA, 'cache')).spec.replicas).toBe(3);
    const bad = await mw('alice', ['scale', 'cache', '-n', nsA, '--replicas', '7']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('next: pass --replicas between 1 and 6');
  });

  it('upgrade follows upgradeFrom and names the path when a jump is not allowed', async () => {
    const jump = await mw('alice', ['upgrade', 'old', '-n', nsA, '--plugin-version', 'v3']);
    expect(jump.code).toBe(1);
    expect(jump.stderr).toContain(
      `error: ${typeName} plugin v3 cannot upgrade in place from v1 (its upgradeFrom is ["v2"])`,
    );
    expect(jump.stderr).toContain(
      'next: upgrade step by step: --plugin-version v2, then --plugin-version v3',
    );
    const r = await mw('alice', ['upgrade', 'old', '-n', nsA, '--plugin-version', 'v2']);
    expect(r.code).toBe(0);
    expect((await getInstance(nsA, 'old')).spec).toMatchObject({
      pluginVersion: 'v2',
      middlewareVersion: '7.4.2',
    });
  });

  it('restart and switchover create MiddlewareOperations', async () => {
    const r = await mw('alice', ['restart', 'cache', '-n', nsA]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^middlewareoperation\.mwop\.dev\/cache-restart-\w+ created \(Restart of cache\)/,
    );
    const s = await mw('alice', ['switchover', 'cache', '-n', nsA]);
    expect(s.code).toBe(0);
    const ops = (await rest.get<{ items: MiddlewareOperation[] }>(mwo(nsA))).items;
    expect(ops.map((o) => o.spec.type).sort()).toEqual(['Restart', 'Switchover']);
    expect(ops.every((o) => o.spec.instanceRef.name === 'cache')).toBe(true);
    const noPod = await mw('alice', ['switchover', 'cache', '-n', nsA, '--target', 'cache-9']);
    expect(noPod.code).toBe(1);
    expect(noPod.stderr).toContain(`error: --target cache-9: no such pod in namespace ${nsA}`);
    const one = await mw('alice', ['switchover', 'waited', '-n', nsA]);
    expect(one.stderr).toContain('next: scale it first: `kubectl mw scale waited --replicas 2`');
  });

  it('cancel annotates the instance with a running operation, or the operation named', async () => {
    const r = await mw('alice', ['cancel', 'cache', '-n', nsA]);
    expect(r.code).toBe(0);
    expect((await getInstance(nsA, 'cache')).metadata.annotations?.['mwop.dev/cancel']).toBe('true');
    const idle = await mw('alice', ['cancel', 'old', '-n', nsA]);
    expect(idle.code).toBe(1);
    expect(idle.stderr).toContain('error: old has no operation running');
    const op = (await rest.get<{ items: MiddlewareOperation[] }>(mwo(nsA))).items[0]!;
    const byName = await mw('alice', ['cancel', op.metadata.name!, '-n', nsA]);
    expect(byName.code).toBe(0);
    const after = (await rest.get<{ items: MiddlewareOperation[] }>(mwo(nsA))).items.find(
      (o) => o.metadata.name === op.metadata.name,
    );
    expect(after?.metadata.annotations?.['mwop.dev/cancel']).toBe('true');
    const none = await mw('alice', ['cancel', 'nothing', '-n', nsA]);
    expect(none.stderr).toContain(`error: no instance or operation named "nothing" in namespace ${nsA}`);
  });
});

describe('backup and restore', () => {
  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket('clitest');
    await rest.post(`/api/v1/namespaces/${nsC}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's3-creds' },
      stringData: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    await rest.post('/apis/mwop.dev/v1alpha1/backupstorages', {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'BackupStorage',
      metadata: { name: storageName },
      spec: {
        endpoint: s3.endpoint,
        bucket: 'clitest',
        region: s3.region,
        prefix: 'prod',
        forcePathStyle: true,
        credentialsSecretRef: { namespace: nsC, name: 's3-creds' },
      },
    });
  }, 600_000);

  it('backup create makes a MiddlewareBackup; an unknown storage lists the real ones', async () => {
    const r = await mw('alice', [
      'backup',
      'create',
      'cache',
      '-n',
      nsA,
      '--storage',
      storageName,
      '--name',
      'cache-b1',
    ]);
    expect(r.code).toBe(0);
    const b = await rest.get<MiddlewareBackup>(mwb(nsA, 'cache-b1'));
    expect(b.spec).toEqual({ instanceRef: { name: 'cache' }, storage: storageName });
    const bad = await mw('alice', ['backup', 'create', 'cache', '-n', nsA, '--storage', 'nowhere']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: BackupStorage "nowhere" does not exist');
    expect(bad.stderr).toContain(storageName);
    const noStorage = await mw('alice', ['backup', 'create', 'cache', '-n', nsA]);
    expect(noStorage.stderr).toContain('error: cache has no spec.backup.storage');
  });

  it('backup list shows the backups', async () => {
    await rest.patch(
      `${mwb(nsA, 'cache-b1')}/status`,
      {
        status: {
          phase: 'Succeeded',
          type: typeName,
          pluginVersion: 'v3',
          middlewareVersion: '7.2.11',
          size: 2048,
          storage: storageName,
        },
      },
      MERGE,
    );
    const r = await mw('alice', ['backup', 'list', '-n', nsA]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^cache-b1\\s+cache\\s+${typeName} 7\\.2\\.11\\s+Succeeded\\s+2\\.0KiB\\s+${storageName}`,
        'm',
      ),
    );
  });

  it('backup sync rebuilds the CRs that exist only in S3', async () => {
    const server = s3 as S3Server;
    const client = createS3Client({
      endpoint: server.endpoint,
      bucket: 'clitest',
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    await putText(
      client,
      'clitest',
      metadataKey('prod', nsA, 'cache', 'cache-from-s3'),
      serializeMetadata({
        formatVersion: 1,
        name: 'cache-from-s3',
        namespace: nsA,
        instance: 'cache',
        type: typeName,
        pluginVersion: 'v3',
        middlewareVersion: '7.2.11',
        format: 'redis-rdb',
        dataFile: 'dump.rdb',
        size: 10,
        sha256: 'a'.repeat(64),
        startTime: '2026-01-01T03:00:00Z',
        completionTime: '2026-01-01T03:00:01Z',
        instanceSpec: { type: typeName, pluginVersion: 'v3', storage: { size: '2Gi' } },
      }),
    );
    client.destroy();
    const r = await mw('admin', ['backup', 'sync', '--storage', storageName, '-n', nsA]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`middlewarebackup.mwop.dev/cache-from-s3 created in ${nsA}`);
    expect(r.stdout).toContain(`1 backup in ${storageName}, 0 already present, 1 created\n`);
    const b = await rest.get<MiddlewareBackup>(mwb(nsA, 'cache-from-s3'));
    expect(b.status).toMatchObject({ phase: 'Succeeded', sha256: 'a'.repeat(64), storage: storageName });
    const again = await mw('admin', ['backup', 'sync', '--storage', storageName, '-n', nsA]);
    expect(again.stdout).toContain('1 already present, 0 created');
    const alice = await mw('alice', ['backup', 'sync', '--storage', storageName, '-n', nsA]);
    expect(alice.code).toBe(1);
    expect(alice.stderr).toContain(`Secret ${nsC}/s3-creds is not readable by you`);
  });

  it('restore --into creates a new instance; --in-place creates a Restore operation', async () => {
    const into = await mw('alice', ['restore', 'cache-b1', '-n', nsA, '--into', 'cache-restored']);
    expect(into.code).toBe(0);
    expect((await getInstance(nsA, 'cache-restored')).spec).toMatchObject({
      type: typeName,
      pluginVersion: 'v3',
      middlewareVersion: '7.2.11',
      replicas: 3,
      restoreFrom: { backup: 'cache-b1' },
    });
    const inPlace = await mw('alice', ['restore', 'cache-b1', '-n', nsA, '--in-place']);
    expect(inPlace.code).toBe(0);
    const ops = (await rest.get<{ items: MiddlewareOperation[] }>(mwo(nsA))).items.filter(
      (o) => o.spec.type === 'Restore',
    );
    expect(ops.map((o) => o.spec.restore)).toEqual([{ backup: 'cache-b1' }]);
    const neither = await mw('alice', ['restore', 'cache-b1', '-n', nsA]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('error: restore needs --into <new-name> or --in-place');
    const missing = await mw('alice', ['restore', 'nope', '-n', nsA, '--in-place']);
    expect(missing.stderr).toContain(`next: \`kubectl mw backup list -n ${nsA}\``);
  });
});

describe('render', () => {
  // Offline (no cluster is contacted), but through the real binary like every other subcommand.
  const file = (doc: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'mwop-render-'));
    writeFileSync(join(dir, 'instance.yaml'), doc);
    return join(dir, 'instance.yaml');
  };
  const instanceYaml = (spec: string) =>
    `apiVersion: mwop.dev/v1alpha1\nkind: MiddlewareInstance\nmetadata: { name: cache, namespace: team-a }\nspec: ${spec}\n`;

  it('-f prints the validated config, the files and the objects as one YAML stream', async () => {
    const r = await mw('alice', [
      'render',
      '-f',
      file(
        instanceYaml(
          '{ type: redis, pluginVersion: v1, middlewareVersion: 7.2.11, replicas: 3, storage: { size: 1Gi }, config: { preset: small, overrides: { hz: 50 } } }',
        ),
      ),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const kinds = parseAllDocuments(r.stdout).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(['RenderedConfig', 'Secret', 'ConfigMap', 'Service', 'Service', 'StatefulSet']);
    expect(r.stdout).toContain('hz 50');
  });

  it('a bad file exits 1 with every error: field path, value and what is accepted', async () => {
    const r = await mw('alice', [
      'render',
      '-f',
      file(
        instanceYaml(
          '{ type: redis, pluginVersion: v1, middlewareVersion: 7.2.11, replicas: 12, storage: { size: 1Gi }, config: { overrides: { maxclients: -1 } } }',
        ),
      ),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('spec.replicas: redis v1 accepts 1 to 9 (got 12)');
    expect(r.stderr).toContain(
      'spec.config.overrides.maxclients: out of range: expected an integer from 1 to 65000 (got -1)',
    );
    const missing = await mw('alice', ['render', '-f', '/nonexistent/instance.yaml']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe(
      'error: -f: /nonexistent/instance.yaml does not exist\n  next: pass a MiddlewareInstance YAML file\n',
    );
  });
});

describe('completion', () => {
  it('prints scripts bash accepts, and names the shells it knows', async () => {
    const r = await mw('alice', ['completion', 'bash']);
    expect(r.code).toBe(0);
    execFileSync('bash', ['-n'], { input: r.stdout });
    expect((await mw('alice', ['completion', 'zsh'])).stdout.startsWith('#compdef kubectl-mw')).toBe(true);
    const fish = await mw('alice', ['completion', 'fish']);
    expect(fish.code).toBe(1);
    expect(fish.stderr).toBe('error: unknown shell "fish"\n  next: use one of: bash, zsh\n');
  });
});
