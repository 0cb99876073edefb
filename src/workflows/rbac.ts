// The ServiceAccount, Role and RoleBinding that mwop's workflows run as in an instance's
// namespace, created by the operator (Kratix #192: nobody should copy these by hand). The Role
// grants what the steps do and nothing more:
//   - resource templates (kubectl in Argo's executor): get/patch StatefulSets, get/patch/delete
//     PVCs, get and delete Pods (rolling restarts under OnDelete), apply ConfigMaps (connection info);
//   - Argo's executor and agent: report results through workflowtaskresults, and the agent reads
//     and updates its workflowtasksets;
//   - backup and restore pods read Secrets only through env secretKeyRef, which needs no RBAC;
//   - the retention-cleanup step (`kubectl-mw backup prune`) lists the instance's MiddlewareBackups
//     and deletes the victims.
// And a token Secret for the account: Argo's agent pod (the one that runs HTTP templates, our hook
// calls) mounts `<account>.service-account-token` (Argo's secrets.TokenNameForServiceAccount), and
// since Kubernetes 1.24 no such Secret exists unless someone creates it; the agent pod then never
// starts (FailedMount, found on the real node, docs/real-node.md). The token controller fills it.
import type { ObjectMeta } from './argo-types.ts';
import { LABEL_MANAGED_BY, WORKFLOW_SERVICE_ACCOUNT } from './names.ts';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface WorkflowRbac {
  serviceAccount: { apiVersion: 'v1'; kind: 'ServiceAccount'; metadata: ObjectMeta };
  role: {
    apiVersion: 'rbac.authorization.k8s.io/v1';
    kind: 'Role';
    metadata: ObjectMeta;
    rules: PolicyRule[];
  };
  roleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1';
    kind: 'RoleBinding';
    metadata: ObjectMeta;
    roleRef: { apiGroup: 'rbac.authorization.k8s.io'; kind: 'Role'; name: string };
    subjects: { kind: 'ServiceAccount'; name: string; namespace: string }[];
  };
  tokenSecret: {
    apiVersion: 'v1';
    kind: 'Secret';
    type: 'kubernetes.io/service-account-token';
    metadata: ObjectMeta;
  };
}

export const WORKFLOW_RULES: PolicyRule[] = [
  { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list', 'watch', 'patch', 'create'] },
  {
    apiGroups: [''],
    resources: ['persistentvolumeclaims'],
    verbs: ['get', 'list', 'watch', 'patch', 'delete'],
  },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
  { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
  { apiGroups: ['mwop.dev'], resources: ['middlewarebackups'], verbs: ['get', 'list', 'delete'] },
  { apiGroups: ['argoproj.io'], resources: ['workflowtasksets'], verbs: ['list', 'watch'] },
  { apiGroups: ['argoproj.io'], resources: ['workflowtasksets/status'], verbs: ['patch'] },
];

export function renderWorkflowRbac(namespace: string): WorkflowRbac {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) {
    throw new Error(
      `namespace: "${namespace}" is not a valid namespace name; accepted: a DNS label of at most 63 characters`,
    );
  }
  const metadata = (): ObjectMeta => ({
    name: WORKFLOW_SERVICE_ACCOUNT,
    namespace,
    labels: { [LABEL_MANAGED_BY]: 'mwop' },
  });
  return {
    serviceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata() },
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata(),
      rules: WORKFLOW_RULES,
    },
    roleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: WORKFLOW_SERVICE_ACCOUNT },
      subjects: [{ kind: 'ServiceAccount', name: WORKFLOW_SERVICE_ACCOUNT, namespace }],
    },
    tokenSecret: {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: {
        ...metadata(),
        name: `${WORKFLOW_SERVICE_ACCOUNT}.service-account-token`,
        annotations: { 'kubernetes.io/service-account.name': WORKFLOW_SERVICE_ACCOUNT },
      },
    },
  };
}
