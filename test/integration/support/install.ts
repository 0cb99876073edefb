// Installs what the operator needs on the shared control plane (hack/dev/install.ts), once per
// test process; server-side apply, so files running side by side may all call it.
import { installMwopInto } from '../../../hack/dev/install.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { kubeConfig } from './cluster.ts';

export function adminRest(): KubeRest {
  return new KubeRest(kubeConfig('admin'));
}

let installed: Promise<void> | undefined;

/** mwop CRDs + Argo CRDs + deploy/plugins/*.yaml + workflow-templates/. */
export function installMwop(): Promise<void> {
  installed ??= installMwopInto(adminRest());
  return installed;
}
