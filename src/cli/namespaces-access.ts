// Pure: which namespaces `list -A` may read when the user cannot list cluster-wide. The I/O
// (the cluster-wide try, SelfSubjectAccessReviews) is in all-namespaces.ts; the decisions are here
// so they can be tested without a cluster, and reused by the tenancy code (issue 9).

/** One rule of a SelfSubjectRulesReview's status.resourceRules. */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
}

/** True when one of the rules grants verb on every object of group/resource (as RBAC matches). */
export function rulesAllow(rules: readonly ResourceRule[], want: ResourceAttributes): boolean {
  return rules.some(
    (r) =>
      (r.verbs.includes(want.verb) || r.verbs.includes('*')) &&
      (r.apiGroups ?? []).some((g) => g === want.group || g === '*') &&
      (r.resources ?? []).some((x) => x === want.resource || x === '*') &&
      // A list cannot be limited to named objects, so a rule with resourceNames does not grant it.
      (r.resourceNames ?? []).length === 0,
  );
}

/**
 * Namespaces to check when the namespace list itself is denied: the ones the kubeconfig names
 * (its contexts and -n) — the only places a user without cluster-wide reads is known to work in.
 */
export function candidateNamespaces(
  listed: readonly string[] | undefined,
  fromKubeconfig: readonly (string | undefined)[],
): string[] {
  const source = listed ?? fromKubeconfig.filter((n): n is string => Boolean(n));
  return [...new Set(source)].sort();
}

export interface AccessDecision {
  namespace: string;
  allowed: boolean;
}

export interface AccessSummary {
  namespaces: string[];
  /** Told to the user on stderr, so a short list is never mistaken for everything. */
  note?: string;
}

export function summarizeAccess(
  decisions: readonly AccessDecision[],
  namespacesListed: boolean,
): AccessSummary {
  const namespaces = decisions
    .filter((d) => d.allowed)
    .map((d) => d.namespace)
    .sort();
  if (namespacesListed) return { namespaces };
  const checked = decisions.map((d) => d.namespace).sort();
  return {
    namespaces,
    note:
      `you may not list namespaces, so only the namespaces in your kubeconfig were checked (${checked.join(', ') || 'none'}); ` +
      'ask a cluster admin for `list` on namespaces to see every namespace you can use',
  };
}
