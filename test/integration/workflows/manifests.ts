// The admin connection to the testenv control plane. Until the harness helper in
// test/integration/support lands, the kubeconfig comes from MWOP_TESTENV_KUBECONFIG_ADMIN (as the
// CLI tests do); a missing one fails the run loudly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isNotFound } from '../../../src/kube/errors.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { loadKubeConfig } from '../../../src/operator/kubeconfig.ts';

export function adminRest(): KubeRest {
  const path = process.env.MWOP_TESTENV_KUBECONFIG_ADMIN;
  if (!path || !existsSync(path)) {
    throw new Error(
      'MWOP_TESTENV_KUBECONFIG_ADMIN: no admin kubeconfig; start the testenv control plane (hack/testenv) and set it to the admin kubeconfig path',
    );
  }
  return new KubeRest(loadKubeConfig({ kubeconfig: path }));
}

export function readYaml<T>(dir: string, file: string): T {
  return parse(readFileSync(join(dir, file), 'utf8')) as T;
}

/** Polls until `check` returns a value, or fails with `what` after `attempts` tries a second apart. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  attempts = 120,
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      if (!isNotFound(err)) last = err;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** JSON paths present in `sent` but missing or different in `got`: what the apiserver pruned or changed. */
export function droppedPaths(sent: unknown, got: unknown, path = ''): string[] {
  if (sent === null || typeof sent !== 'object') {
    return sent === got
      ? []
      : [`${path || '(root)'}: sent ${JSON.stringify(sent)}, stored ${JSON.stringify(got)}`];
  }
  if (got === null || typeof got !== 'object') return [`${path}: missing`];
  if (Array.isArray(sent)) {
    if (!Array.isArray(got) || got.length !== sent.length) return [`${path}: array length changed`];
    return sent.flatMap((v, i) => droppedPaths(v, got[i], `${path}[${i}]`));
  }
  return Object.entries(sent as Record<string, unknown>).flatMap(([k, v]) =>
    droppedPaths(v, (got as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
  );
}
