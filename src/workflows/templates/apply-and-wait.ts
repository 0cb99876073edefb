// mwop-apply-and-wait: kubectl apply, patch or delete in Argo's executor, optionally waiting for a
// success condition. The manifest is a parameter, so every Kubernetes change of a workflow is
// visible in the Argo UI as the exact object or patch it applied.
import type { ClusterWorkflowTemplate, Template } from '../argo-types.ts';
import { CWT, T } from './catalog.ts';
import { clusterTemplate } from './cluster-template.ts';
import { input, p } from './params.ts';

const manifest = p(
  'manifest',
  'The object (apply, delete) or the patch with apiVersion, kind and metadata.name (patch), as JSON or YAML.',
);
const condition = p(
  'success-condition',
  'Wait until this holds, in Argo resource syntax (for example status.readyReplicas == 3); empty: do not wait.',
  '',
);

export function applyAndWaitTemplates(): ClusterWorkflowTemplate {
  const apply: Template = {
    name: T.applyAndWait.apply,
    inputs: { parameters: [manifest, condition] },
    resource: { action: 'apply', manifest: input('manifest'), successCondition: input('success-condition') },
  };
  const patch: Template = {
    name: T.applyAndWait.patch,
    inputs: { parameters: [manifest, condition] },
    resource: {
      action: 'patch',
      mergeStrategy: 'strategic',
      manifest: input('manifest'),
      successCondition: input('success-condition'),
    },
  };
  const del: Template = {
    name: T.applyAndWait.delete,
    inputs: { parameters: [manifest] },
    resource: { action: 'delete', manifest: input('manifest'), flags: ['--ignore-not-found'] },
  };
  return clusterTemplate(
    CWT.applyAndWait,
    'Applies, patches (strategic merge) or deletes one object, then optionally waits for a condition.',
    T.applyAndWait.apply,
    [apply, patch, del],
  );
}
