// What an integration test file uses from the shared control plane (support/global-setup.ts):
// typed @kubernetes/client-node clients per user, its own namespace, the built kubectl and
// bounded polling. No test skips: a missing control plane fails with the reason.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, inject } from 'vitest';

export type User = 'admin' | 'alice' | 'bob' | 'ops';

export interface TestEnv {
  server: string;
  caFile: string;
  /** Where kubectl, kube-apiserver, etcd... were built (hack/testenv/build.sh). */
  binDir: string;
  kubeconfigs: Record<User, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testenv: TestEnv;
  }
}

export function testenv(): TestEnv {
  const env = inject('testenv');
  if (!env)
    throw new Error('no testenv: run this file in the vitest "integration" project (vitest.config.ts)');
  return env;
}

export function kubeConfig(user: User = 'admin'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testenv().kubeconfigs[user]);
  return kc;
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  rbac: RbacAuthorizationV1Api;
  apiext: ApiextensionsV1Api;
  custom: CustomObjectsApi;
  /** Any object by its apiVersion/kind, including server-side apply. */
  objects: KubernetesObjectApi;
}

export function clients(user: User = 'admin'): Clients {
  const kc = kubeConfig(user);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    apiext: kc.makeApiClient(ApiextensionsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

export interface TestNamespace {
  /** Fixed when useNamespace is called; the namespace exists from beforeAll until afterAll. */
  readonly name: string;
}

/**
 * Gives the calling test file its own namespace: created in beforeAll, deleted in afterAll (the
 * namespace controller then removes what the tests left in it).
 */
export function useNamespace(prefix: string): TestNamespace {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    await clients().core.createNamespace({
      body: { metadata: { name, labels: { 'mwop.dev/test': prefix } } },
    });
  });
  afterAll(async () => {
    try {
      await clients().core.deleteNamespace({ name });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  });
  return { name };
}

/** The HTTP status of a failed client-node call, or undefined when it was not an API error. */
export function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** Resolves with the status code a rejected call failed with; fails the test if it succeeded. */
export async function rejectionStatus(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call;
  } catch (err) {
    const status = statusOf(err);
    if (status === undefined) throw err;
    return { status, message: statusMessage((err as ApiException<unknown>).body) ?? String(err) };
  }
  throw new Error('the call succeeded; it was expected to be rejected');
}

/** The `message` of a metav1.Status body, which client-node hands over as a JSON string. */
function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body)) ?? body;
    } catch {
      return body;
    }
  }
  const m = (body as { message?: unknown } | null | undefined)?.message;
  return typeof m === 'string' ? m : undefined;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The kubectl built by hack/testenv (never the machine's own), as `user`. */
export function kubectl(user: User, args: string[]): Promise<KubectlResult> {
  const env = testenv();
  return new Promise((res) => {
    execFile(
      join(env.binDir, 'kubectl'),
      ['--kubeconfig', env.kubeconfigs[user], ...args],
      { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * Polls `probe` until it returns a value other than undefined; bounded by attempts, not by a
 * deadline, and the error names what never happened and the last thing seen.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { attempts?: number; intervalMs?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 600;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
      last = undefined;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  throw new Error(
    `${what}: still not true after ${attempts} attempts${last ? ` (last error: ${String(last)})` : ''}`,
  );
}
