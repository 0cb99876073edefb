// What the operator's code touches in the API, and why: the single source of the operator's RBAC.
// generators/deploy.ts turns OPERATOR_PERMISSIONS into the operator ClusterRole (and the lease
// rows into the leader-election Role) one rule per row; a unit test checks the table against
// src/kube/gvr.ts so a kind cannot be added to the client without deciding its permissions.
//
// Workflow RBAC and privilege escalation. Every namespace with instances gets a ServiceAccount
// `mwop-workflow`, a Role with WORKFLOW_RULES (src/workflows/rbac.ts) and a RoleBinding, created
// by the operator. The API
// server refuses to let anyone create a Role, or bind one, that grants more than they hold
// themselves, unless they have `escalate` on roles or `bind` on the role. We grant neither: the
// operator holds (cluster-wide) every rule it hands out, and a unit test proves WORKFLOW_RULES is
// covered by the operator's own rules. `escalate`/`bind` would let a compromised operator mint any
// permission in any namespace; holding the few extra verbs the workflows need is the smaller risk.
import type { V1PolicyRule } from '@kubernetes/client-node';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface Permission {
  apiGroup: string; // '' for core
  /** One resource, or `resource/subresource`. */
  resource: string;
  verbs: Verb[];
  /** One line: which code needs it, for what. */
  reason: string;
  /** Limits the rule to these object names. */
  resourceNames?: string[];
  /** `leader-election`: granted by a Role in the operator's namespace, not cluster-wide. */
  scope?: 'cluster' | 'leader-election';
  /**
   * Why this row has no entry in src/kube/gvr.ts (the client reaches it through another path, or
   * the operator holds it only to grant it to workflows). Rows without it must match a gvr kind.
   */
  outsideGvr?: string;
}

const GRANT_ONLY = 'never called by the operator; in the workflow Role, so the operator must hold it';
const READ: Verb[] = ['get', 'list', 'watch'];
const OWN: Verb[] = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

export const OPERATOR_PERMISSIONS: readonly Permission[] = [
  // --- our own kinds ---------------------------------------------------------------------------
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewareinstances',
    verbs: [...READ, 'patch'],
    reason: 'instance controller: watch instances, add and remove the finalizer (merge patch)',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewareinstances/status',
    verbs: ['get', 'patch'],
    reason: 'instance controller: phase, conditions and applied state through the status subresource',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewareinstances/finalizers',
    verbs: ['update'],
    reason: 'children owned with blockOwnerDeletion (OwnerReferencesPermissionEnforcement)',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewaretypes',
    verbs: [...READ, 'patch'],
    reason: 'plugin registry: resolve types and versions; finalizer while instances use a type',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewaretypes/status',
    verbs: ['get', 'patch'],
    reason: 'plugin registry: Ready/Invalid phase and the published plugin versions',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewaretypes/finalizers',
    verbs: ['update'],
    reason: 'objects owned by a type with blockOwnerDeletion',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewarebackups',
    verbs: [...READ, 'create', 'patch', 'delete'],
    reason: 'backup controller: scheduled backups are created, retention deletes the victims',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewarebackups/status',
    verbs: ['get', 'patch'],
    reason: 'backup controller: location, checksum, size and phase',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewarebackups/finalizers',
    verbs: ['update'],
    reason: 'backup workflows owned by a backup with blockOwnerDeletion',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewareoperations',
    verbs: [...READ, 'patch'],
    reason: 'operation controller: watch operations, finalizer, honour the cancel annotation',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewareoperations/status',
    verbs: ['get', 'patch'],
    reason: 'operation controller: phase and progress mirrored from the workflow',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'middlewareoperations/finalizers',
    verbs: ['update'],
    reason: 'operation workflows owned by an operation with blockOwnerDeletion',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'backupstorages',
    verbs: [...READ, 'patch'],
    reason: 'backup controller: resolve endpoints; finalizer while backups reference a storage',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'backupstorages/status',
    verbs: ['get', 'patch'],
    reason: 'storage probe: Ready/Unavailable phase',
  },
  {
    apiGroup: 'mwop.dev',
    resource: 'backupstorages/finalizers',
    verbs: ['update'],
    reason: 'objects owned by a storage with blockOwnerDeletion',
  },

  // --- what an instance is made of --------------------------------------------------------------
  {
    apiGroup: 'apps',
    resource: 'statefulsets',
    verbs: OWN,
    reason: 'render/act: server-side apply of the members; workflows patch the rollout partition',
  },
  {
    apiGroup: '',
    resource: 'services',
    verbs: OWN,
    reason: 'render/act: headless and client Services',
  },
  {
    apiGroup: '',
    resource: 'configmaps',
    verbs: OWN,
    reason: 'render/act: rendered config files',
  },
  {
    apiGroup: '',
    resource: 'secrets',
    verbs: OWN,
    reason: 'generated credentials, existing credential Secrets, S3 keys of BackupStorages, webhook certs',
  },
  {
    apiGroup: '',
    resource: 'persistentvolumeclaims',
    verbs: [...READ, 'patch', 'delete'],
    reason: 'volume expansion (patch), deletionPolicy Delete (delete) or Retain (drop the owner, patch)',
  },
  {
    apiGroup: '',
    resource: 'pods',
    verbs: [...READ, 'delete'],
    reason:
      'status: diagnose members that never become ready; delete is held to grant it to rolling restarts',
  },
  {
    apiGroup: '',
    resource: 'pods/log',
    verbs: ['get'],
    reason: 'status: the tail of a failed workflow step or crash-looping member',
  },
  {
    apiGroup: 'cert-manager.io',
    resource: 'certificates',
    verbs: OWN,
    reason: 'render/act: member TLS when the instance asks for cert-manager',
  },
  {
    apiGroup: 'monitoring.coreos.com',
    resource: 'servicemonitors',
    verbs: OWN,
    reason: 'render/act: scrape config when the Prometheus operator is installed',
  },
  {
    apiGroup: 'monitoring.coreos.com',
    resource: 'podmonitors',
    verbs: OWN,
    reason: 'render/act: per-member scrape config when the Prometheus operator is installed',
  },

  // --- workflows and their RBAC ----------------------------------------------------------------
  {
    apiGroup: 'argoproj.io',
    resource: 'workflows',
    verbs: [...READ, 'create', 'patch', 'delete'],
    reason: 'every orchestrated change is a Workflow; patch stops a cancelled one, delete on cleanup',
  },
  {
    apiGroup: 'argoproj.io',
    resource: 'clusterworkflowtemplates',
    verbs: READ,
    reason: 'check the templates our workflows reference are installed before submitting',
  },
  {
    apiGroup: 'argoproj.io',
    resource: 'workflowtaskresults',
    verbs: ['create', 'patch'],
    reason: 'held only to grant it: the Argo executor in workflow pods reports step results',
    outsideGvr: GRANT_ONLY,
  },
  {
    apiGroup: 'argoproj.io',
    resource: 'workflowtasksets',
    verbs: ['list', 'watch'],
    reason: 'held only to grant it: the Argo agent in workflow pods reads its task sets (HTTP steps)',
    outsideGvr: GRANT_ONLY,
  },
  {
    apiGroup: 'argoproj.io',
    resource: 'workflowtasksets/status',
    verbs: ['patch'],
    reason: 'held only to grant it: the Argo agent reports HTTP step results',
    outsideGvr: GRANT_ONLY,
  },
  {
    apiGroup: '',
    resource: 'serviceaccounts',
    verbs: [...READ, 'create', 'patch'],
    reason: 'the mwop-workflow ServiceAccount in each namespace with instances',
  },
  {
    apiGroup: 'rbac.authorization.k8s.io',
    resource: 'roles',
    verbs: [...READ, 'create', 'patch'],
    reason: 'the mwop-workflow Role; no escalate: the operator holds every rule it grants',
  },
  {
    apiGroup: 'rbac.authorization.k8s.io',
    resource: 'rolebindings',
    verbs: [...READ, 'create', 'patch'],
    reason: 'binds mwop-workflow to its Role; no bind: the operator holds the Role rules itself',
  },

  // --- reading the cluster ----------------------------------------------------------------------
  {
    apiGroup: '',
    resource: 'namespaces',
    verbs: READ,
    reason: 'namespace labels (tenancy mode) and the webhook quota check; never written',
  },
  {
    apiGroup: '',
    resource: 'resourcequotas',
    verbs: READ,
    reason: 'webhook: hard minus used per namespace; the operator never writes quotas',
  },
  {
    apiGroup: 'storage.k8s.io',
    resource: 'storageclasses',
    verbs: READ,
    reason: 'planning: allowVolumeExpansion before a volume expansion is started',
  },
  {
    apiGroup: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    verbs: READ,
    reason: 'detect optional integrations (cert-manager, Prometheus operator) and Argo Workflows',
  },
  {
    apiGroup: '',
    resource: 'events',
    verbs: READ,
    reason: 'status: scheduling and image-pull Events of members that never become ready',
  },
  {
    apiGroup: 'events.k8s.io',
    resource: 'events',
    verbs: ['create', 'patch'],
    reason: 'event recorder: Kubernetes Events on our objects',
  },
  {
    apiGroup: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    verbs: ['get', 'patch'],
    resourceNames: ['mwop-webhook'],
    reason: 'self-managed webhook certificates: keep caBundle in step with the rotated CA',
    outsideGvr: 'patched by the webhook certificate rotation by name; not a reconciled kind',
  },

  // --- leader election (a Role in the operator's namespace) -------------------------------------
  {
    apiGroup: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['get', 'create', 'update'],
    reason: 'leader election: read, create and renew (PUT) the lease',
    scope: 'leader-election',
  },
];

/** The operator ClusterRole's rules: one per cluster-scoped row, in table order. */
export function operatorClusterRules(table: readonly Permission[] = OPERATOR_PERMISSIONS): V1PolicyRule[] {
  return table.filter((p) => (p.scope ?? 'cluster') === 'cluster').map(toRule);
}

/** The leader-election Role's rules. */
export function leaderElectionRules(table: readonly Permission[] = OPERATOR_PERMISSIONS): V1PolicyRule[] {
  return table.filter((p) => p.scope === 'leader-election').map(toRule);
}

function toRule(p: Permission): V1PolicyRule {
  return {
    apiGroups: [p.apiGroup],
    resources: [p.resource],
    ...(p.resourceNames ? { resourceNames: [...p.resourceNames] } : {}),
    verbs: [...p.verbs],
  };
}

/**
 * Whether `held` allows every (group, resource, verb) of `wanted`, the way the API server's
 * escalation check sees it (no resourceNames in wanted; wildcards in held).
 */
export function rulesCover(held: readonly V1PolicyRule[], wanted: readonly V1PolicyRule[]): string[] {
  const missing: string[] = [];
  for (const w of wanted) {
    for (const g of w.apiGroups ?? [''])
      for (const r of w.resources ?? [])
        for (const v of w.verbs) {
          const ok = held.some(
            (h) =>
              !h.resourceNames?.length &&
              (h.apiGroups ?? ['']).some((x) => x === g || x === '*') &&
              (h.resources ?? []).some((x) => x === r || x === '*') &&
              h.verbs.some((x) => x === v || x === '*'),
          );
          if (!ok) missing.push(`${g || 'core'}/${r}: ${v}`);
        }
  }
  return missing;
}
