import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/** --kubeconfig, then $KUBECONFIG / ~/.kube/config, then the in-cluster service account. */
export function loadKubeConfig(opts: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) {
      throw new Error(
        `--kubeconfig: file ${opts.kubeconfig} does not exist; pass a readable kubeconfig path`,
      );
    }
    kc.loadFromFile(opts.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new Error(
        `--context: no context named "${opts.context}"; the kubeconfig has: ${known.join(', ') || '(none)'}`,
      );
    }
    kc.setCurrentContext(opts.context);
  }
  return kc;
}
