// Pure facts about plugin versions: which middleware version an instance gets, the upgradeFrom
// graph, and what changed between two states of a MiddlewareType (published versions are
// immutable, FR-015; the CRD's CEL rule enforces it, the webhook explains it with this diff).
import type { MiddlewareType, MiddlewareTypeVersion, SupportedVersion } from '../api/index.ts';

/** The version marked default, else the last one listed that is not deprecated, else the last. */
export function defaultMiddlewareVersion(v: MiddlewareTypeVersion): SupportedVersion | undefined {
  const list = v.supportedVersions ?? [];
  return (
    list.find((s) => s.default) ?? [...list].reverse().find((s) => !s.deprecated) ?? list[list.length - 1]
  );
}

export type UpgradeVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether an instance on plugin version `from` may move to `to` in one upgrade. Only direct edges
 * count (`to.upgradeFrom` names `from`): each hop runs its own pre/post-upgrade hooks and may
 * migrate data for exactly the version it comes from, so a chain v1 -> v2 -> v3 is two upgrades,
 * each verified before the next. When a chain exists, the reason names it.
 */
export function upgradeVerdict(type: MiddlewareType, from: string, to: string): UpgradeVerdict {
  const name = type.metadata?.name ?? '(unnamed)';
  const versions = type.spec?.versions ?? [];
  const published = versions.map((v) => v.pluginVersion);
  if (from === to) return { ok: true };
  const target = versions.find((v) => v.pluginVersion === to);
  if (!target)
    return { ok: false, reason: `${name} has no plugin version ${to}; published: ${published.join(', ')}` };
  if (!versions.some((v) => v.pluginVersion === from))
    return { ok: false, reason: `${name} has no plugin version ${from}; published: ${published.join(', ')}` };
  const edges = target.upgradeFrom ?? [];
  if (edges.includes(from)) return { ok: true };
  const chain = upgradePath(type, from, to);
  const declared = edges.length
    ? `${name} ${to} upgrades from ${edges.join(', ')} only`
    : `${name} ${to} declares no upgradeFrom`;
  return {
    ok: false,
    reason: chain
      ? `${declared}; upgrade one hop at a time: ${chain.join(' -> ')}`
      : `${declared}, and no chain of upgrades leads from ${from} to ${to}`,
  };
}

/** The shortest chain of direct upgrades from -> ... -> to, or undefined. */
export function upgradePath(type: MiddlewareType, from: string, to: string): string[] | undefined {
  const versions = type.spec?.versions ?? [];
  const prev = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length) {
    const cur = queue.shift()!;
    if (cur === to) {
      const path = [to];
      while (path[0] !== from) path.unshift(prev.get(path[0]!)!);
      return path;
    }
    for (const v of versions) {
      if ((v.upgradeFrom ?? []).includes(cur) && !prev.has(v.pluginVersion)) {
        prev.set(v.pluginVersion, cur);
        queue.push(v.pluginVersion);
      }
    }
  }
  return undefined;
}

export interface PublishedVersionsDiff {
  added: string[];
  removed: string[];
  /** Published versions whose content changed, with the paths that differ (at most 10 each). */
  changed: Array<{ pluginVersion: string; paths: string[] }>;
  /** One message per problem, ready for an admission denial; empty when the update is allowed. */
  violations: string[];
}

type SpecLike = Pick<MiddlewareType, 'spec'> | MiddlewareType['spec'] | undefined;
const versionsOf = (x: SpecLike): MiddlewareTypeVersion[] =>
  ((x && 'spec' in x ? x.spec : x) as MiddlewareType['spec'] | undefined)?.versions ?? [];

/** Compares two states of a MiddlewareType: what was added, removed, and edited in place. */
export function diffPublishedVersions(oldType: SpecLike, newType: SpecLike): PublishedVersionsDiff {
  const before = new Map(versionsOf(oldType).map((v) => [v.pluginVersion, v]));
  const after = new Map(versionsOf(newType).map((v) => [v.pluginVersion, v]));
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed: PublishedVersionsDiff['changed'] = [];
  for (const [name, old] of before) {
    const cur = after.get(name);
    if (!cur) continue;
    const paths: string[] = [];
    diffValues(old, cur, '', paths, 10);
    if (paths.length) changed.push({ pluginVersion: name, paths });
  }
  const violations = [
    ...changed.map(
      (c) =>
        `spec.versions[pluginVersion=${c.pluginVersion}]: published plugin versions are immutable (FR-015); changed: ${c.paths.join(', ')}; accepted: the version exactly as published, with changes in a new plugin version`,
    ),
    ...removed.map(
      (r) =>
        `spec.versions[pluginVersion=${r}]: a published plugin version cannot be removed (FR-015); accepted: keep it, marked deprecated: true`,
    ),
  ];
  return { added, removed, changed, violations };
}

const keyed: Record<string, string> = {
  supportedVersions: 'version',
  presets: 'name',
  ports: 'name',
  configFiles: 'name',
};

function diffValues(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (a === b) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const field = path.split('.').pop()?.replace(/\[.*$/, '') ?? '';
    const key = keyed[field];
    if (key && [...a, ...b].every((x) => x && typeof x === 'object' && key in x)) {
      const ma = new Map(a.map((x) => [String((x as Record<string, unknown>)[key]), x]));
      const mb = new Map(b.map((x) => [String((x as Record<string, unknown>)[key]), x]));
      for (const k of new Set([...ma.keys(), ...mb.keys()]))
        diffValues(ma.get(k), mb.get(k), `${path}[${key}=${k}]`, out, limit);
      return;
    }
    if (a.length !== b.length) {
      out.push(path || '(root)');
      return;
    }
    for (const [i, x] of a.entries()) diffValues(x, b[i], `${path}[${i}]`, out, limit);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)]))
      diffValues(ra[k], rb[k], path ? `${path}.${k}` : k, out, limit);
    return;
  }
  out.push(path || '(root)');
}
