// Version comparison and the upgrade-path check shared by the drivers. Pure.

/** The leading numeric part of a version: "10.11.19-MariaDB-0+deb12u1" -> [10, 11, 19]. */
export function numericVersion(v: string): number[] {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(v.trim());
  return m ? m[1]!.split('.').map(Number) : [];
}

export function compareVersions(a: string, b: string): number {
  const x = numericVersion(a);
  const y = numericVersion(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** True when `running` is the version `declared` names: "7.0" matches "7.0.15", "7.0.15" matches itself. */
export function versionMatches(running: string, declared: string): boolean {
  const r = numericVersion(running);
  const d = numericVersion(declared);
  return d.length > 0 && d.every((n, i) => r[i] === n);
}

export type UpgradeVerdict =
  | { ok: true; message: string }
  | { ok: false; reason: 'NotInUpgradePath' | 'Downgrade' | 'BadRequest'; message: string };

/**
 * May a member running `current` upgrade to `target`? The target must be in `allowedPath` (the
 * versions the MiddlewareType allows as one step from the current one) and not older than the
 * running version: on-disk formats are not backward compatible. Same version is always allowed.
 */
export function checkUpgradePath(
  current: string,
  target: string,
  allowedPath: string[] | undefined,
): UpgradeVerdict {
  if (versionMatches(current, target)) {
    return { ok: true, message: `target version ${target} is the running version ${current}` };
  }
  if (allowedPath === undefined) {
    return {
      ok: false,
      reason: 'BadRequest',
      message: `allowedUpgradePath: missing; it is required when targetMiddlewareVersion (${target}) differs from the running version ${current}`,
    };
  }
  if (compareVersions(target, current) < 0) {
    return {
      ok: false,
      reason: 'Downgrade',
      message: `targetMiddlewareVersion: ${target} is older than the running version ${current}; downgrades are refused because data files are not backward compatible`,
    };
  }
  if (!allowedPath.some((v) => v === target || versionMatches(target, v))) {
    return {
      ok: false,
      reason: 'NotInUpgradePath',
      message: `targetMiddlewareVersion: ${target} is not in the allowed upgrade path from ${current}; accepted: ${allowedPath.length ? allowedPath.join(', ') : '(none)'}`,
    };
  }
  return { ok: true, message: `upgrade ${current} -> ${target} is on the allowed path` };
}
