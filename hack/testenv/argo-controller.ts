// Argo's workflow-controller as the test environments run it: in the `argo` namespace, from the
// testenv's own build (hack/testenv/build.sh argo), with a controller ConfigMap that keeps it off
// fixed ports. Simulation mode (kwok) and the real node (hack/testenv/node) differ only in the
// executor image and its pull policy. Pure: objects and arguments; the callers start the process.

export const ARGO_NAMESPACE = 'argo';
export const ARGO_CONFIGMAP = 'workflow-controller-configmap';

/** The namespace and the controller's ConfigMap. */
export function argoControllerObjects(): object[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGO_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ARGO_CONFIGMAP, namespace: ARGO_NAMESPACE },
      // Several test environments can run on one machine: no metrics server on a fixed port
      // (it would panic when :9090 is taken).
      data: { config: 'metricsConfig:\n  enabled: false\n' },
    },
  ];
}

export interface ExecutorImage {
  image: string;
  /** Never for images imported into the node's containerd (nothing can be pulled here). */
  pullPolicy?: 'Never' | 'IfNotPresent' | 'Always';
}

export function workflowControllerArgs(adminKubeconfig: string, executor: ExecutorImage): string[] {
  return [
    `--kubeconfig=${adminKubeconfig}`,
    `--namespace=${ARGO_NAMESPACE}`,
    `--configmap=${ARGO_CONFIGMAP}`,
    `--executor-image=${executor.image}`,
    ...(executor.pullPolicy ? [`--executor-image-pull-policy=${executor.pullPolicy}`] : []),
    '--loglevel=info',
  ];
}

/** The controller's environment: one controller per control plane, so no leader election. */
export const workflowControllerEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  LEADER_ELECTION_DISABLE: 'true',
});
