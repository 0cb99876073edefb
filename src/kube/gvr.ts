// Where each kind we touch lives in the REST API. A static table, not discovery: the operator
// only ever talks to these kinds, and this keeps start-up free of discovery calls.

export interface ResourceType {
  group: string; // '' for core
  version: string;
  plural: string;
  namespaced: boolean;
}

const table: Record<string, ResourceType> = {
  'v1/Namespace': { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  'v1/Secret': { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  'v1/ConfigMap': { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  'v1/Service': { group: '', version: 'v1', plural: 'services', namespaced: true },
  'v1/ServiceAccount': { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true },
  'v1/Pod': { group: '', version: 'v1', plural: 'pods', namespaced: true },
  'v1/PersistentVolumeClaim': {
    group: '',
    version: 'v1',
    plural: 'persistentvolumeclaims',
    namespaced: true,
  },
  'v1/ResourceQuota': { group: '', version: 'v1', plural: 'resourcequotas', namespaced: true },
  'v1/Event': { group: '', version: 'v1', plural: 'events', namespaced: true },
  'apps/v1/StatefulSet': { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  'rbac.authorization.k8s.io/v1/Role': {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'roles',
    namespaced: true,
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'rolebindings',
    namespaced: true,
  },
  'storage.k8s.io/v1/StorageClass': {
    group: 'storage.k8s.io',
    version: 'v1',
    plural: 'storageclasses',
    namespaced: false,
  },
  'coordination.k8s.io/v1/Lease': {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    namespaced: true,
  },
  'events.k8s.io/v1/Event': { group: 'events.k8s.io', version: 'v1', plural: 'events', namespaced: true },
  'argoproj.io/v1alpha1/Workflow': {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'workflows',
    namespaced: true,
  },
  'argoproj.io/v1alpha1/ClusterWorkflowTemplate': {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'clusterworkflowtemplates',
    namespaced: false,
  },
  'cert-manager.io/v1/Certificate': {
    group: 'cert-manager.io',
    version: 'v1',
    plural: 'certificates',
    namespaced: true,
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    group: 'monitoring.coreos.com',
    version: 'v1',
    plural: 'servicemonitors',
    namespaced: true,
  },
  'monitoring.coreos.com/v1/PodMonitor': {
    group: 'monitoring.coreos.com',
    version: 'v1',
    plural: 'podmonitors',
    namespaced: true,
  },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
  'mwop.dev/v1alpha1/MiddlewareType': {
    group: 'mwop.dev',
    version: 'v1alpha1',
    plural: 'middlewaretypes',
    namespaced: false,
  },
  'mwop.dev/v1alpha1/MiddlewareInstance': {
    group: 'mwop.dev',
    version: 'v1alpha1',
    plural: 'middlewareinstances',
    namespaced: true,
  },
  'mwop.dev/v1alpha1/MiddlewareBackup': {
    group: 'mwop.dev',
    version: 'v1alpha1',
    plural: 'middlewarebackups',
    namespaced: true,
  },
  'mwop.dev/v1alpha1/MiddlewareOperation': {
    group: 'mwop.dev',
    version: 'v1alpha1',
    plural: 'middlewareoperations',
    namespaced: true,
  },
  'mwop.dev/v1alpha1/BackupStorage': {
    group: 'mwop.dev',
    version: 'v1alpha1',
    plural: 'backupstorages',
    namespaced: false,
  },
};

/** Every kind the client knows, keyed `apiVersion/Kind` (src/kube/permissions.ts is checked against it). */
export const RESOURCE_TYPES: Readonly<Record<string, Readonly<ResourceType>>> = table;

export function resourceType(apiVersion: string, kind: string): ResourceType {
  const rt = table[`${apiVersion}/${kind}`];
  if (!rt)
    throw new Error(`mwop does not know the REST path of ${apiVersion} ${kind}; add it to src/kube/gvr.ts`);
  return rt;
}

export interface PathParts {
  namespace?: string;
  name?: string;
  subresource?: 'status' | 'scale';
}

/** `/apis/apps/v1/namespaces/ns/statefulsets/name/status` and friends. */
export function resourcePath(apiVersion: string, kind: string, parts: PathParts = {}): string {
  const rt = resourceType(apiVersion, kind);
  let path = rt.group === '' ? `/api/${rt.version}` : `/apis/${rt.group}/${rt.version}`;
  if (rt.namespaced && parts.namespace) path += `/namespaces/${encodeURIComponent(parts.namespace)}`;
  path += `/${rt.plural}`;
  if (parts.name) path += `/${encodeURIComponent(parts.name)}`;
  if (parts.subresource) path += `/${parts.subresource}`;
  return path;
}
