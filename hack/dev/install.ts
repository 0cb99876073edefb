// Installs mwop into a cluster the way docs/install.md describes, for `make dev` and the
// integration tests: our CRDs and Argo's full CRDs (established before use), the shipped plugins
// and the ClusterWorkflowTemplates. Server-side apply, so it is idempotent.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { serverSideApply } from '../../src/kube/apply.ts';
import { resourcePath } from '../../src/kube/gvr.ts';
import type { KubeRest } from '../../src/kube/rest.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function argoCrdDirectory(): string {
  return execFileSync('bash', [join(repoRoot, 'hack/argo/crds-path.sh')], { encoding: 'utf8' }).trim();
}

export function objectsIn(
  dir: string,
  filter: (f: string) => boolean = (f) => f.endsWith('.yaml'),
): KubernetesObject[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(filter)
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as KubernetesObject),
    )
    .filter((o) => o?.kind);
}

async function established(rest: KubeRest, name: string, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    let live: { status?: { conditions?: { type: string; status: string }[] } };
    try {
      live = await rest.get(resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { name }), {
        timeoutMs: 120_000,
      });
    } catch (err) {
      // A loaded apiserver rebuilding its OpenAPI document can take longer than a GET's deadline.
      if ((err as Error).name !== 'TimeoutError') throw err;
      continue;
    }
    if (live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`CRD ${name} did not become Established after ${attempts} checks`);
}

/**
 * Right after big CRDs are established the apiserver rebuilds its OpenAPI document, and on a busy
 * two-core machine a request can wait well past the usual 30 s: be patient, and retry once.
 */
async function apply(rest: KubeRest, obj: KubernetesObject, attempts = 4): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await serverSideApply(rest, obj, { timeoutMs: 120_000 });
      return;
    } catch (err) {
      if ((err as Error).name !== 'TimeoutError' || i >= attempts) throw err;
    }
  }
}

/** Argo's full CRDs, established before use (simulation mode starts Argo's controller on them). */
export async function installArgoCrdsInto(rest: KubeRest): Promise<void> {
  const crds = objectsIn(argoCrdDirectory(), (f) => f.startsWith('argoproj.io_') && f.endsWith('.yaml'));
  for (const crd of crds) await apply(rest, crd);
  for (const crd of crds) await established(rest, crd.metadata!.name!);
}

export async function installMwopInto(
  rest: KubeRest,
  /** types: the MiddlewareTypes to install instead of deploy/plugins (the real node's local images). */
  opts: { workflowTemplates?: boolean; types?: KubernetesObject[] } = {},
): Promise<void> {
  const crds = [
    ...objectsIn(join(repoRoot, 'crds')),
    ...objectsIn(argoCrdDirectory(), (f) => f.startsWith('argoproj.io_') && f.endsWith('.yaml')),
  ];
  for (const crd of crds) await apply(rest, crd);
  for (const crd of crds) await established(rest, crd.metadata!.name!);
  for (const type of opts.types ?? objectsIn(join(repoRoot, 'deploy/plugins'))) await apply(rest, type);
  if (opts.workflowTemplates ?? true) {
    for (const t of objectsIn(join(repoRoot, 'workflow-templates'))) await apply(rest, t);
  }
}
