// What the backup integration tests share: a real S3 server with a BackupStorage pointing at it,
// the operator in process (optionally on a FakeClock), a Running instance made by playing the
// Create workflow, and the backup tool run from this process as the workflow's tool pod would run
// it: with the workflow's parameters as its environment and the S3 keys from the Secret the
// operator copied into the namespace.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Secret } from '@kubernetes/client-node';
import { startNamespacedOperator } from '../../../hack/dev/operator.ts';
import type { BackupStorage, MiddlewareBackup, MiddlewareInstance } from '../../../src/api/index.ts';
import { mergePatch } from '../../../src/kube/apply.ts';
import type { Clock } from '../../../src/kube/clock.ts';
import { isNotFound } from '../../../src/kube/errors.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';
import { createCaches } from '../../../src/operator/caches.ts';
import type { OperatorContext, Runnable } from '../../../src/operator/context.ts';
import { detectIntegrations } from '../../../src/operator/integrations.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import { wireControllers } from '../../../src/operator/wiring.ts';
import type { S3Server } from '../../support/s3-server.ts';
import { eventually, testenv } from '../support/cluster.ts';
import { awaitWorkflow, finishWorkflow, type WorkflowObj, workflowPath } from '../support/fake-argo.ts';
import { podsReady } from '../support/fake-kubelet.ts';

export const API = 'mwop.dev/v1alpha1';
const repoRoot = join(import.meta.dirname, '../../..');
export const TOOL_MAIN = join(repoRoot, 'src/backup/tools/main.ts');
export const MW_BIN = join(repoRoot, 'bin/kubectl-mw');

export const instancePath = (ns: string, name?: string) =>
  resourcePath(API, 'MiddlewareInstance', name ? { namespace: ns, name } : { namespace: ns });
export const backupPath = (ns: string, name?: string) =>
  resourcePath(API, 'MiddlewareBackup', name ? { namespace: ns, name } : { namespace: ns });
export const storagePath = (name?: string) => resourcePath(API, 'BackupStorage', name ? { name } : {});

/** The operator with every controller, like startOperator, but with `clock` for the queues that take one. */
export async function startOperatorWithClock(
  namespace: string,
  clock: Clock,
  extraFlags: string[] = [],
): Promise<RunningOperator> {
  const build = (ctx: OperatorContext): Runnable[] => {
    let caches: ReturnType<typeof createCaches> | undefined;
    let controllers: ReturnType<typeof wireControllers> = [];
    return [
      {
        name: 'controllers',
        async start() {
          caches = createCaches(ctx);
          controllers = wireControllers(ctx, caches, await detectIntegrations(ctx.rest), clock);
          await caches.start();
          for (const c of controllers) c.start();
        },
        async stop(graceMs) {
          await Promise.all(controllers.map((c) => c.stop(graceMs)));
          await caches?.stop();
        },
      },
    ];
  };
  return startNamespacedOperator(
    testenv().kubeconfigs.admin,
    namespace,
    extraFlags,
    process.env.MWOP_TEST_LOG ?? 'silent',
    build,
  );
}

/** A credentials Secret in `ns` and a cluster-scoped BackupStorage on the S3 server. */
export async function createStorage(
  rest: KubeRest,
  ns: string,
  name: string,
  s3: S3Server,
  opts: { bucket: string; endpoint?: string; secretAccessKey?: string; prefix?: string },
): Promise<BackupStorage> {
  const secretName = `${name}-keys`;
  await rest.post(resourcePath('v1', 'Secret', { namespace: ns }), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, namespace: ns },
    stringData: { accessKeyId: s3.accessKeyId, secretAccessKey: opts.secretAccessKey ?? s3.secretAccessKey },
  });
  const storage: BackupStorage = {
    apiVersion: API,
    kind: 'BackupStorage',
    metadata: { name },
    spec: {
      endpoint: opts.endpoint ?? s3.endpoint,
      bucket: opts.bucket,
      region: s3.region,
      forcePathStyle: true,
      ...(opts.prefix ? { prefix: opts.prefix } : {}),
      credentialsSecretRef: { namespace: ns, name: secretName },
    },
  };
  return rest.post<BackupStorage>(storagePath(), storage);
}

export async function deleteStorage(rest: KubeRest, name: string): Promise<void> {
  try {
    await rest.delete(storagePath(name));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export function redisInstance(
  ns: string,
  name: string,
  spec: Partial<MiddlewareInstance['spec']> = {},
): MiddlewareInstance {
  return {
    apiVersion: API,
    kind: 'MiddlewareInstance',
    metadata: { name, namespace: ns },
    spec: {
      type: 'redis',
      pluginVersion: 'v1',
      middlewareVersion: '7.2.11',
      replicas: 1,
      storage: { size: '1Gi' },
      config: { preset: 'small' },
      ...spec,
    },
  };
}

export async function instancePhase(
  rest: KubeRest,
  ns: string,
  name: string,
  phase: string,
): Promise<MiddlewareInstance> {
  return eventually(`${name} phase ${phase}`, async () => {
    const i = await rest.get<MiddlewareInstance>(instancePath(ns, name));
    return i.status?.phase === phase ? i : undefined;
  });
}

/** Creates the instance and plays its Create workflow to the end (Running). */
export async function createRunning(
  rest: KubeRest,
  instance: MiddlewareInstance,
): Promise<MiddlewareInstance> {
  const ns = instance.metadata.namespace!;
  const name = instance.metadata.name!;
  await rest.post(instancePath(ns), instance);
  const wf = await awaitWorkflow(rest, ns, name, 'create');
  // Plays the workflow's scale step, once the controller has applied the StatefulSet.
  await eventually(`StatefulSet ${name} scaled`, async () => {
    try {
      await mergePatch(
        rest,
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: ns } },
        { spec: { replicas: instance.spec.replicas ?? 1 } },
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  });
  await podsReady(rest, ns, name, instance.spec.replicas ?? 1);
  await finishWorkflow(rest, wf, { phase: 'Succeeded' });
  return instancePhase(rest, ns, name, 'Running');
}

export async function backupPhase(
  rest: KubeRest,
  ns: string,
  name: string,
  phase: string,
): Promise<MiddlewareBackup> {
  return eventually(`backup ${name} phase ${phase}`, async () => {
    const b = await rest.get<MiddlewareBackup>(backupPath(ns, name));
    if (b.status?.phase === phase) return b;
    if (b.status?.phase === 'Failed' && phase !== 'Failed') {
      throw new Error(`backup ${name} Failed: ${b.status.message}`);
    }
    return undefined;
  });
}

export async function getWorkflow(rest: KubeRest, ns: string, name: string): Promise<WorkflowObj> {
  return eventually(`workflow ${name}`, async () => {
    try {
      return await rest.get<WorkflowObj>(workflowPath(ns, name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  });
}

interface TaskObj {
  name: string;
  arguments?: { parameters?: { name: string; value?: string }[] };
}

/** The parameters of the DAG task `task` (by name prefix) of a workflow. */
export function taskParameters(wf: WorkflowObj, task: string): Record<string, string> {
  const entry = wf.spec.templates?.find((t) => t.name === (wf.spec.entrypoint ?? 'main'));
  const tasks = (entry?.dag?.tasks ?? []) as TaskObj[];
  const t = tasks.find((x) => x.name.startsWith(task));
  if (!t)
    throw new Error(
      `workflow ${wf.metadata?.name} has no task ${task}; tasks: ${tasks.map((x) => x.name).join(', ')}`,
    );
  return Object.fromEntries((t.arguments?.parameters ?? []).map((p) => [p.name, p.value ?? '']));
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessResult> {
  return new Promise((res) => {
    execFile(cmd, args, { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/**
 * Runs the backup tool as the backup workflow's tool pod would: the command of the task (the
 * type's backupConfig.command), its environment from the task's parameters, the S3 keys from the
 * Secret the operator copied into the namespace. Only the address differs: the member's Service
 * name becomes the local server.
 */
export async function runBackupTool(
  rest: KubeRest,
  wf: WorkflowObj,
  target: { port: number; password: string },
  task = 'backup',
): Promise<ProcessResult> {
  const ns = wf.metadata!.namespace!;
  const p = taskParameters(wf, task);
  const secret = await rest.get<V1Secret>(
    resourcePath('v1', 'Secret', { namespace: ns, name: p['s3-credentials-secret']! }),
  );
  const key = (k: string) => Buffer.from(secret.data?.[k] ?? '', 'base64').toString('utf8');
  const [program, ...args] = (p.command ?? '').split(/\s+/).filter(Boolean);
  if (program !== 'mwop-backup') throw new Error(`unexpected tool command: ${p.command}`);
  return run(process.execPath, [TOOL_MAIN, ...args, '--host', '127.0.0.1', '--port', String(target.port)], {
    ...process.env,
    MWOP_BACKUP_TYPE: p.type,
    MWOP_NAMESPACE: ns,
    MWOP_INSTANCE: p.instance,
    MWOP_BACKUP: p.backup,
    MWOP_PLUGIN_VERSION: p['plugin-version'],
    MWOP_MIDDLEWARE_VERSION: p['middleware-version'],
    MWOP_INSTANCE_SPEC: p['instance-spec'],
    MWOP_TIMEOUT_SECONDS: p['timeout-seconds'],
    MWOP_DB_USER: p['db-user'],
    MWOP_DB_PASSWORD: target.password,
    MWOP_S3_ENDPOINT: p['s3-endpoint'],
    MWOP_S3_BUCKET: p['s3-bucket'],
    MWOP_S3_REGION: p['s3-region'],
    MWOP_S3_PREFIX: p['s3-prefix'],
    MWOP_S3_FORCE_PATH_STYLE: p['s3-force-path-style'],
    AWS_ACCESS_KEY_ID: key(p['s3-access-key-id-key'] ?? 'accessKeyId'),
    AWS_SECRET_ACCESS_KEY: key(p['s3-secret-access-key-key'] ?? 'secretAccessKey'),
  });
}

/**
 * A kubeconfig that authenticates as a ServiceAccount with a real token from the TokenRequest API,
 * as its pods would: the apiserver then applies exactly that account's RBAC.
 */
export async function serviceAccountKubeconfig(
  rest: KubeRest,
  ns: string,
  serviceAccount: string,
  dir: string,
): Promise<string> {
  const res = await rest.post<{ status: { token: string } }>(
    `/api/v1/namespaces/${ns}/serviceaccounts/${serviceAccount}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  );
  const admin = JSON.parse(readFileSync(testenv().kubeconfigs.admin, 'utf8')) as {
    clusters: { name: string; cluster: Record<string, string> }[];
  };
  const cluster = admin.clusters[0]!;
  const file = join(dir, `kubeconfig-${ns}-${serviceAccount}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster],
      users: [{ name: serviceAccount, user: { token: res.status.token } }],
      contexts: [{ name: 'sa', context: { cluster: cluster.name, user: serviceAccount, namespace: ns } }],
      'current-context': 'sa',
    }),
  );
  return file;
}

interface TemplateContainer {
  command?: string[];
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }[];
}

/**
 * Runs the container of a workflow template step from this process as the pod would run it: the
 * template's command and args and env with `{{inputs.parameters.*}}` and `{{workflow.namespace}}`
 * filled from the task's arguments (else the template defaults), env secretKeyRefs read from the
 * namespace as the kubelet would, and `program` in place of the image's command.
 */
export async function runTemplateStep(
  rest: KubeRest,
  template: {
    inputs?: { parameters?: { name: string; default?: string }[] };
    container?: TemplateContainer;
  },
  params: Record<string, string>,
  ns: string,
  program: string,
  extraArgs: string[] = [],
): Promise<ProcessResult> {
  const values: Record<string, string> = {};
  for (const p of template.inputs?.parameters ?? []) if (p.default !== undefined) values[p.name] = p.default;
  Object.assign(values, params);
  const fill = (s: string) =>
    s
      .replace(/\{\{workflow\.namespace\}\}/g, ns)
      .replace(/\{\{inputs\.parameters\.([a-z0-9-]+)\}\}/g, (_m, name: string) => {
        const v = values[name];
        if (v === undefined) throw new Error(`the step has no value for parameter ${name}`);
        return v;
      });
  const container = template.container!;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = fill(e.value);
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) {
      const secret = await rest.get<V1Secret>(
        resourcePath('v1', 'Secret', { namespace: ns, name: fill(ref.name) }),
      );
      const raw = secret.data?.[fill(ref.key)];
      if (raw === undefined) throw new Error(`Secret ${fill(ref.name)} has no key ${fill(ref.key)}`);
      env[e.name] = Buffer.from(raw, 'base64').toString('utf8');
    }
  }
  const args = [...(container.command ?? []).slice(1), ...(container.args ?? [])].map(fill);
  return run(program, [...extraArgs, ...args], env);
}

/** Writes a Running workflow status in which the named tasks have ended as given (Argo mid-run). */
export async function setTaskPhases(
  rest: KubeRest,
  wf: WorkflowObj,
  phases: Record<string, 'Succeeded' | 'Failed'>,
): Promise<void> {
  const name = wf.metadata!.name!;
  const now = new Date().toISOString();
  const nodes: Record<string, unknown> = {
    [name]: { id: name, name, displayName: name, type: 'DAG', phase: 'Running', templateName: 'main' },
  };
  for (const [task, phase] of Object.entries(phases)) {
    nodes[`${name}-${task}`] = {
      id: `${name}-${task}`,
      name: `${name}.${task}`,
      displayName: task,
      type: 'Pod',
      boundaryID: name,
      phase,
      startedAt: now,
      finishedAt: now,
    };
  }
  await mergePatch(rest, wf, { status: { phase: 'Running', startedAt: now, nodes } });
}
