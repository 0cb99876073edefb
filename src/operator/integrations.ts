// Optional integrations are detected once at start-up from the CRDs the cluster has.
import { isNotFound } from '../kube/errors.ts';
import { resourcePath } from '../kube/gvr.ts';
import type { KubeRest } from '../kube/rest.ts';

export interface Integrations {
  certManager: boolean;
  prometheusOperator: boolean;
}

async function crdExists(rest: KubeRest, name: string): Promise<boolean> {
  try {
    await rest.get(resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { name }));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export async function detectIntegrations(rest: KubeRest): Promise<Integrations> {
  const [certManager, prometheusOperator] = await Promise.all([
    crdExists(rest, 'certificates.cert-manager.io'),
    crdExists(rest, 'podmonitors.monitoring.coreos.com'),
  ]);
  return { certManager, prometheusOperator };
}
