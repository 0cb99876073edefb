// What the CLI tests need from the testenv control plane (test/integration/support): a kubeconfig
// per user (admin, and the token users alice, bob and ops), an admin REST client, and a way to run
// the real binary. A missing control plane fails loudly.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { isConflict, isNotFound } from '../../../src/kube/errors.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { loadKubeConfig } from '../../../src/operator/kubeconfig.ts';
import { testenv, type User } from '../support/cluster.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = join(repoRoot, 'bin/kubectl-mw');

export type { User };

export function kubeconfigFor(user: User): string {
  return testenv().kubeconfigs[user];
}

export function adminRest(): KubeRest {
  return new KubeRest(loadKubeConfig({ kubeconfig: kubeconfigFor('admin') }));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/kubectl-mw as `user` and returns its exit code and output. */
export function mw(user: User, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((res) => {
    execFile(
      BIN,
      ['--kubeconfig', kubeconfigFor(user), ...args],
      { env: { ...process.env, ...env }, encoding: 'utf8' },
      (err, stdout, stderr) => {
        res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Starts bin/kubectl-mw and lets the test act while it runs (for --wait). */
export function mwBackground(
  user: User,
  args: string[],
): { done: Promise<CliResult>; stdout: () => string; kill: () => void } {
  const child = spawn(BIN, ['--kubeconfig', kubeconfigFor(user), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return {
    done: new Promise((res) => child.on('close', (code) => res({ code: code ?? 1, stdout, stderr }))),
    stdout: () => stdout,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** Installs the mwop CRDs from crds/ when the harness has not, and waits until they serve. */
export async function ensureCrds(rest: KubeRest): Promise<void> {
  const dir = join(repoRoot, 'crds');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const crd = doc.toJS() as { metadata: { name: string } } | null;
      if (!crd) continue;
      try {
        await rest.post(CRD_PATH, crd);
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      await waitFor(async () => {
        const got = await rest.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
          `${CRD_PATH}/${crd.metadata.name}`,
        );
        return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
      });
    }
  }
}

/** Polls until the check holds; bounded by the test's own timeout, not by a clock of ours. */
export async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function createNamespace(rest: KubeRest, name: string): Promise<void> {
  try {
    await rest.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
}

export async function deleteIfExists(rest: KubeRest, path: string): Promise<void> {
  try {
    await rest.delete(path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Argo's Workflow CRD (from hack/argo), so describe and --wait can read real Workflow objects. */
export async function ensureWorkflowCrd(rest: KubeRest): Promise<void> {
  try {
    await rest.get(`${CRD_PATH}/workflows.argoproj.io`);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const dir = execFileSync('bash', [join(repoRoot, 'hack/argo/crds-path.sh')], { encoding: 'utf8' }).trim();
  const crd = parseAllDocuments(readFileSync(join(dir, 'argoproj.io_workflows.yaml'), 'utf8'))[0]?.toJS();
  try {
    await rest.post(CRD_PATH, crd);
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
  await waitFor(async () => {
    const got = await rest.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
      `${CRD_PATH}/workflows.argoproj.io`,
    );
    return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  });
}

/** Lets a user read MiddlewareTypes and BackupStorages (cluster-scoped), as mwop-view would. */
export async function grantTypeReader(rest: KubeRest, user: string): Promise<void> {
  const name = `clitest-types-${user}`;
  const objects: [string, unknown][] = [
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name },
        rules: [
          {
            apiGroups: ['mwop.dev'],
            resources: ['middlewaretypes', 'backupstorages'],
            verbs: ['get', 'list', 'watch'],
          },
        ],
      },
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    ],
  ];
  for (const [path, o] of objects) {
    try {
      await rest.post(path, o);
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
}

/** A Role with every verb on the mwop.dev kinds (or read-only), bound to one user. */
export async function grant(rest: KubeRest, namespace: string, user: string, write: boolean): Promise<void> {
  const role = `clitest-${user}-${write ? 'edit' : 'view'}`;
  const verbs = write
    ? ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']
    : ['get', 'list', 'watch'];
  const objects = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: role, namespace },
      rules: [
        {
          apiGroups: ['mwop.dev'],
          resources: ['middlewareinstances', 'middlewarebackups', 'middlewareoperations'],
          verbs,
        },
        // What the built-in view/edit roles and mwop-view give a namespace user: pods, and the
        // Argo Workflows that run the operations (describe and --wait draw their DAG).
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: role, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  ];
  for (const o of objects) {
    const plural = o.kind === 'Role' ? 'roles' : 'rolebindings';
    try {
      await rest.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/${plural}`, o);
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
}
