// Pure: the JSON merge patch (RFC 7386) that turns `from` into `to`, or undefined when they are
// equal. Keys that disappear become null, which is how a merge patch deletes them.
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatchBetween(from: unknown, to: unknown): Record<string, unknown> | undefined {
  if (!isObject(from) || !isObject(to)) throw new Error('mergePatchBetween needs two objects');
  const patch = diff(from, to);
  return patch === undefined ? undefined : (patch as Record<string, unknown>);
}

function diff(from: unknown, to: unknown): Json | undefined {
  if (isObject(from) && isObject(to)) {
    const out: Record<string, Json> = {};
    for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
      if (!(key in to) || to[key] === undefined) {
        if (key in from && from[key] !== undefined) out[key] = null;
        continue;
      }
      const d = key in from ? diff(from[key], to[key]) : (to[key] as Json);
      if (d !== undefined) out[key] = d;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return equal(from, to) ? undefined : (to as Json);
}

/**
 * Deep equality that ignores the order of object keys. The apiserver returns objects with their
 * keys sorted, while a computed status lists them in code order: comparing serialisations made
 * every array of objects (conditions, recent operations) look changed, so every reconcile wrote
 * an unchanged status (issue #13).
 */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
    const ka = keys(a);
    return ka.length === keys(b).length && ka.every((k) => equal(a[k], b[k]));
  }
  return false;
}
