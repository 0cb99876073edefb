// Small numeric helpers for the scale bench: percentiles and Prometheus text parsing.

/** Nearest-rank percentile of unsorted samples; undefined for none. */
export function percentile(samples: number[], q: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const round = (n: number | undefined, digits = 1): number | undefined =>
  n === undefined ? undefined : Math.round(n * 10 ** digits) / 10 ** digits;

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (what prom-client and the apiserver serve). */
export function parseProm(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

export function sum(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** Cumulative histogram buckets {le -> count}, summed over series matching `match`. */
export function buckets(
  samples: Sample[],
  name: string,
  match: Record<string, string> = {},
): Map<number, number> {
  const b = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    if (!Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue;
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    b.set(le, (b.get(le) ?? 0) + s.value);
  }
  return b;
}

/** after - before, bucket by bucket. */
export function bucketDelta(after: Map<number, number>, before: Map<number, number>): Map<number, number> {
  const d = new Map<number, number>();
  for (const [le, n] of after) d.set(le, n - (before.get(le) ?? 0));
  return d;
}

/**
 * The upper bound of the bucket holding quantile q (what the histogram can honestly say), and the
 * linear interpolation inside it (what histogram_quantile() reports).
 */
export function histogramQuantile(
  b: Map<number, number>,
  q: number,
): { count: number; upperBound?: number; interpolated?: number } {
  const les = [...b.keys()].sort((x, y) => x - y);
  const count = b.get(Number.POSITIVE_INFINITY) ?? 0;
  if (count === 0) return { count };
  const rank = q * count;
  let prevLe = 0;
  let prevN = 0;
  for (const le of les) {
    const n = b.get(le)!;
    if (n >= rank) {
      if (!Number.isFinite(le)) return { count, upperBound: le, interpolated: prevLe };
      const frac = n === prevN ? 1 : (rank - prevN) / (n - prevN);
      return { count, upperBound: le, interpolated: prevLe + (le - prevLe) * frac };
    }
    prevLe = le;
    prevN = n;
  }
  return { count };
}
