// mwop-wait-ready: kubectl get in Argo's executor until the object reaches a state. The
// conditions use Argo's resource syntax (label selectors over JSON paths of the object).
import type { ClusterWorkflowTemplate, Template } from '../argo-types.ts';
import { CWT, T } from './catalog.ts';
import { clusterTemplate } from './cluster-template.ts';
import { input, p } from './params.ts';

const get = (apiVersion: string, kind: string, name: string) =>
  JSON.stringify({ apiVersion, kind, metadata: { name } });

export function waitReadyTemplates(): ClusterWorkflowTemplate {
  const statefulSetReady: Template = {
    name: T.waitReady.statefulSetReady,
    inputs: {
      parameters: [
        p('statefulset', 'StatefulSet name (the instance name).'),
        p('replicas', 'Members that must exist, be up to date and be ready (1 or more).'),
      ],
    },
    resource: {
      action: 'get',
      manifest: get('apps/v1', 'StatefulSet', input('statefulset')),
      successCondition: `status.replicas == ${input('replicas')}, status.readyReplicas == ${input('replicas')}, status.updatedReplicas == ${input('replicas')}`,
    },
  };
  const statefulSetEmpty: Template = {
    name: T.waitReady.statefulSetEmpty,
    inputs: { parameters: [p('statefulset', 'StatefulSet name (the instance name).')] },
    resource: {
      action: 'get',
      manifest: get('apps/v1', 'StatefulSet', input('statefulset')),
      successCondition: 'spec.replicas == 0, status.replicas == 0',
    },
  };
  const pvcResized: Template = {
    name: T.waitReady.pvcResized,
    inputs: {
      parameters: [
        p('pvc', 'PersistentVolumeClaim name, for example data-cache-0.'),
        p('size', 'Capacity to wait for, exactly as in spec.resources.requests.storage, for example 20Gi.'),
      ],
    },
    resource: {
      action: 'get',
      manifest: get('v1', 'PersistentVolumeClaim', input('pvc')),
      successCondition: `status.capacity.storage == ${input('size')}`,
    },
  };
  return clusterTemplate(
    CWT.waitReady,
    'Waits until a StatefulSet is ready (or empty) or a PVC has grown.',
    T.waitReady.statefulSetReady,
    [statefulSetReady, statefulSetEmpty, pvcResized],
  );
}
