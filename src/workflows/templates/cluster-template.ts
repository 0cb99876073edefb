import { ARGO_API_VERSION, type ClusterWorkflowTemplate, type Template } from '../argo-types.ts';

/** Wraps templates into a ClusterWorkflowTemplate; the entrypoint is what `argo submit --from` runs. */
export function clusterTemplate(
  name: string,
  description: string,
  entrypoint: string,
  templates: Template[],
): ClusterWorkflowTemplate {
  return {
    apiVersion: ARGO_API_VERSION,
    kind: 'ClusterWorkflowTemplate',
    metadata: {
      name,
      labels: { 'app.kubernetes.io/part-of': 'mwop', 'app.kubernetes.io/managed-by': 'mwop' },
      annotations: { 'workflows.argoproj.io/description': description },
    },
    spec: { entrypoint, templates },
  };
}
