// `-A` for users who cannot list cluster-wide: find the namespaces they may list in, with a
// cluster-wide list where allowed, else one SelfSubjectAccessReview per candidate namespace.
import { isForbidden } from '../kube/errors.ts';
import type { CliContext } from './context.ts';
import {
  type AccessDecision,
  candidateNamespaces,
  type ResourceAttributes,
  summarizeAccess,
} from './namespaces-access.ts';
import { listAll } from './resources.ts';

export interface AllNamespacesResult<T> {
  items: T[];
  note?: string;
}

async function canI(ctx: CliContext, namespace: string, attrs: ResourceAttributes): Promise<boolean> {
  const review = await ctx.rest.post<{ status?: { allowed?: boolean } }>(
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { namespace, ...attrs } },
    },
  );
  return review.status?.allowed === true;
}

/** Every object of a namespaced mwop.dev resource in every namespace the user may list it in. */
export async function listInAllNamespaces<T>(
  ctx: CliContext,
  resource: string,
  clusterPath: string,
  namespacedPath: (ns: string) => string,
  kubeconfigNamespaces: readonly (string | undefined)[],
): Promise<AllNamespacesResult<T>> {
  try {
    return { items: await listAll<T>(ctx.rest, clusterPath) };
  } catch (err) {
    if (!isForbidden(err)) throw err;
  }
  let listed: string[] | undefined;
  try {
    listed = (await listAll<{ metadata: { name: string } }>(ctx.rest, '/api/v1/namespaces')).map(
      (n) => n.metadata.name,
    );
  } catch (err) {
    if (!isForbidden(err)) throw err;
  }
  const candidates = candidateNamespaces(listed, kubeconfigNamespaces);
  const attrs = { verb: 'list', group: 'mwop.dev', resource };
  const decisions: AccessDecision[] = [];
  // A handful at a time: a cluster may have hundreds of namespaces.
  for (let i = 0; i < candidates.length; i += 16) {
    const batch = candidates.slice(i, i + 16);
    const allowed = await Promise.all(batch.map((ns) => canI(ctx, ns, attrs)));
    for (const [j, namespace] of batch.entries()) decisions.push({ namespace, allowed: allowed[j] === true });
  }
  const summary = summarizeAccess(decisions, listed !== undefined);
  const items: T[] = [];
  for (const ns of summary.namespaces) items.push(...(await listAll<T>(ctx.rest, namespacedPath(ns))));
  return { items, ...(summary.note ? { note: summary.note } : {}) };
}
