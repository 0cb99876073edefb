// Quota-aware admission (issue 9, FR-004): compares what an instance will request with each
// ResourceQuota's hard minus used, so an over-quota instance is refused at apply time with the
// numbers, instead of its pods failing to appear later. Pure: the caller lists the quotas.
// It only reads quotas; it never adds limits of its own.
import type { V1ResourceQuota } from '@kubernetes/client-node';
import {
  add,
  compare,
  count,
  formatQuantity,
  isPositive,
  parseQuantity,
  type Quantity,
  quantity,
  sub,
  times,
  ZERO,
} from '../render/quantity.ts';
import {
  COMPUTE_RESOURCES,
  type ComputeResource,
  type Footprint,
  type PodGroup,
} from '../render/resources.ts';

export interface QuotaViolation {
  quota: string;
  resource: string;
  /** What this request adds: the whole footprint on create, the growth over the current one on update. */
  requested: Quantity;
  /** hard − used, never below zero. */
  available: Quantity;
  hard: Quantity;
  used: Quantity;
  message: string;
}

export interface QuotaCheck {
  violations: QuotaViolation[];
  /** Quotas or resources that could not be judged here, and why; for admission warnings. */
  notes: string[];
}

export interface QuotaCheckOptions {
  /** On update: the footprint of the object as it is now. Only growth over it counts. */
  current?: Footprint;
}

/** What a quota with scopes can track: pods and their compute resources only. */
const POD_RESOURCES = new Set<string>(['pods', 'count/pods', 'cpu', 'memory', ...COMPUTE_RESOURCES]);

type ScopeVerdict = { matches: (g: PodGroup) => boolean } | { ignored: string };

/**
 * Which of our pods a quota's scopes select. Terminating/NotTerminating and BestEffort/NotBestEffort
 * follow from the pods we render. Others cannot be judged from here, and such a quota is left out
 * (with a note) rather than guessed at; the API server still enforces it when the pods are created:
 * - PriorityClass: our pods name no priority class, but a cluster's globalDefault PriorityClass is
 *   assigned by admission later, out of our sight.
 * - VolumeAttributesClass: the PVCs name none, but a default class may be applied the same way.
 * - any scope this code does not know (newer Kubernetes).
 * CrossNamespacePodAffinity can be judged: our pods never have cross-namespace affinity terms.
 */
function scopeVerdict(q: V1ResourceQuota): ScopeVerdict {
  const terms: Array<{ scopeName: string; operator: string }> = [
    ...(q.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' })),
    ...(q.spec?.scopeSelector?.matchExpressions ?? []).map((e) => ({
      scopeName: e.scopeName,
      operator: e.operator,
    })),
  ];
  const tests: Array<(g: PodGroup) => boolean> = [];
  for (const t of terms) {
    const negate = t.operator === 'DoesNotExist';
    let test: (g: PodGroup) => boolean;
    switch (t.scopeName) {
      case 'Terminating':
        test = (g) => g.terminating;
        break;
      case 'NotTerminating':
        test = (g) => !g.terminating;
        break;
      case 'BestEffort':
        test = (g) => g.bestEffort;
        break;
      case 'NotBestEffort':
        test = (g) => !g.bestEffort;
        break;
      case 'CrossNamespacePodAffinity':
        test = () => false;
        break;
      default:
        return {
          ignored: `quota "${q.metadata?.name}" has scope ${t.scopeName}, which cannot be judged before the pods exist; the API server enforces it when they are created`,
        };
    }
    tests.push(negate ? (g) => !test(g) : test);
  }
  return { matches: (g) => tests.every((f) => f(g)) };
}

/** The part of a footprint a quota sees. */
function seenBy(fp: Footprint, scoped: boolean, matches: (g: PodGroup) => boolean): Record<string, Quantity> {
  if (!scoped) return fp.resources;
  const out: Record<string, Quantity> = {};
  for (const g of fp.podGroups.filter(matches)) {
    const inc = (name: string, q: Quantity) => {
      out[name] = out[name] ? add(out[name]!, q) : q;
    };
    inc('pods', count(g.count));
    inc('count/pods', count(g.count));
    for (const r of COMPUTE_RESOURCES) {
      const q = g.perPod[r];
      if (!q) continue;
      inc(r, times(q, g.count));
      if (r === 'requests.cpu') inc('cpu', times(q, g.count));
      if (r === 'requests.memory') inc('memory', times(q, g.count));
    }
  }
  return out;
}

export function checkQuotas(
  footprint: Footprint,
  quotas: V1ResourceQuota[],
  opts: QuotaCheckOptions = {},
): QuotaCheck {
  const violations: QuotaViolation[] = [];
  const notes: string[] = [];
  const sorted = [...quotas].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const q of sorted) {
    const name = q.metadata?.name ?? '(unnamed)';
    const verdict = scopeVerdict(q);
    if ('ignored' in verdict) {
      notes.push(verdict.ignored);
      continue;
    }
    const scoped = Boolean(q.spec?.scopes?.length || q.spec?.scopeSelector?.matchExpressions?.length);
    // status.hard is what the quota controller enforces; it lags spec.hard by one sync at most.
    const hardList = q.status?.hard ?? q.spec?.hard ?? {};
    if (!q.status?.hard)
      notes.push(
        `quota "${name}" has no status yet; its usage is taken as zero until the quota controller counts it`,
      );
    const wanted = seenBy(footprint, scoped, verdict.matches);
    const had = opts.current ? seenBy(opts.current, scoped, verdict.matches) : {};
    const groups = footprint.podGroups.filter((g) => g.count > 0 && (!scoped || verdict.matches(g)));

    for (const resource of Object.keys(hardList).sort()) {
      if (scoped && !POD_RESOURCES.has(resource)) continue;
      const hard = parseQuantity(hardList[resource]!, `ResourceQuota ${name} hard.${resource}`);
      const usedText = q.status?.used?.[resource];
      const used =
        usedText === undefined
          ? quantity(0n, hard.format)
          : parseQuantity(usedText, `ResourceQuota ${name} used.${resource}`);

      const compute = (
        resource === 'cpu' || resource === 'memory' ? `requests.${resource}` : resource
      ) as ComputeResource;
      const unsetBy = COMPUTE_RESOURCES.includes(compute)
        ? groups.filter((g) => g.unset.includes(compute))
        : [];
      if (unsetBy.length)
        notes.push(
          `quota "${name}" tracks ${resource}, but ${unsetBy.map((g) => `the ${g.role} pods`).join(' and ')} leave ${compute} unset in some container: the API server refuses such pods unless a LimitRange gives a default${unsetBy.some((g) => g.role === 'member') ? `; set spec.resources.${compute}` : ''}`,
        );

      const after = wanted[resource] ?? ZERO;
      const before = had[resource] ?? ZERO;
      // On update only growth counts: shrinking frees quota, and what exists is already in `used`.
      const requested = opts.current ? sub(after, before) : after;
      if (!isPositive(requested)) continue;
      const room = sub(hard, used);
      if (compare(requested, room) <= 0) continue;
      const available = isPositive(room) ? room : quantity(0n, hard.format);
      const more = opts.current ? ' more' : '';
      violations.push({
        quota: name,
        resource,
        requested,
        available,
        hard,
        used,
        message: `exceeded quota "${name}": ${resource}: requested ${formatQuantity(requested)}${more}, available ${formatQuantity(available)} (hard ${formatQuantity(hard)}, used ${formatQuantity(used)})`,
      });
    }
  }
  return { violations, notes };
}
