// Installs what the operator needs on the shared control plane: our CRDs, Argo's full CRDs and
// the shipped plugins. Server-side apply, so every test file may call it; it is idempotent.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { serverSideApply } from '../../../src/kube/apply.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { argoCrdDir } from '../../unit/workflows/support/argo-schema.ts';
import { eventually, kubeConfig } from './cluster.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function objectsIn(
  dir: string,
  filter: (f: string) => boolean = (f) => f.endsWith('.yaml'),
): KubernetesObject[] {
  return readdirSync(dir)
    .filter(filter)
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as KubernetesObject),
    )
    .filter((o) => o?.kind);
}

export function adminRest(): KubeRest {
  return new KubeRest(kubeConfig('admin'));
}

async function applyAndEstablish(rest: KubeRest, crds: KubernetesObject[]): Promise<void> {
  for (const crd of crds) await serverSideApply(rest, crd);
  for (const crd of crds) {
    await eventually(`${crd.metadata?.name} Established`, async () => {
      const live = await rest.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { name: crd.metadata!.name! }),
      );
      return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });
  }
}

let installed: Promise<void> | undefined;

/** mwop CRDs + Argo CRDs + deploy/plugins/*.yaml. */
export function installMwop(): Promise<void> {
  installed ??= (async () => {
    const rest = adminRest();
    await applyAndEstablish(rest, [
      ...objectsIn(join(root, 'crds')),
      ...objectsIn(argoCrdDir(), (f) => f.startsWith('argoproj.io_') && f.endsWith('.yaml')),
    ]);
    for (const type of objectsIn(join(root, 'deploy/plugins'))) await serverSideApply(rest, type);
  })();
  return installed;
}
