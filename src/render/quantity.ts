// Kubernetes resource quantities (apimachinery's resource.Quantity), exact.
//
// Hand-written rather than a dependency: the npm packages we found either go through floating
// point (1.1Gi and 0.1 cpu come out inexact) or only know a handful of suffixes. A quantity here is
// an integer count of nano-units in a bigint, which holds every value Kubernetes itself can hold
// (it also rounds to nano precision), so sums over a thousand replicas stay exact.
import { RenderError } from './errors.ts';

/** The three ways apimachinery writes a quantity; a result keeps the format of its left operand. */
export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9, rounded away from zero when the input was finer than that. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const ACCEPTED =
  'a quantity is a decimal number with an optional suffix: m (milli), k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent such as 5e3 (for example 500m, 1.5, 2Gi, 10G)';
const SHAPE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const pow10 = (e: number): bigint => 10n ** BigInt(e);

/** Divides, rounding away from zero: Kubernetes rounds values finer than a nano up. */
function divAway(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b === 0n ? q : a < 0n ? q - 1n : q + 1n;
}

/**
 * Parses a quantity as the API server does. `path` names the field in the error, for example
 * `spec.resources.requests.memory`.
 */
export function parseQuantity(input: string | number, path = 'quantity'): Quantity {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new RenderError(path, input, ACCEPTED);
    text = String(input);
  } else {
    text = input.trim();
  }
  const m = SHAPE.exec(text);
  if (!m) throw new RenderError(path, input, ACCEPTED);
  const [, sign, number, suffix = ''] = m as unknown as [string, string, string, string | undefined];
  const [whole = '', frac = ''] = number.split('.');
  let digits = BigInt(`${whole || '0'}${frac}`);
  let exp10 = -frac.length;
  let format: QuantityFormat;
  if (suffix in BINARY) {
    digits *= BINARY[suffix]!;
    format = 'BinarySI';
  } else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    // "1E" is one exa; only a letter e followed by digits is an exponent.
    const e = Number(suffix.slice(1));
    // apimachinery caps the exponent too; beyond this the value cannot be a real resource amount.
    if (Math.abs(e) > 64) throw new RenderError(path, input, `${ACCEPTED}; exponents range over -64..64`);
    exp10 += e;
    format = 'DecimalExponent';
  } else {
    exp10 += DECIMAL[suffix]!;
    format = 'DecimalSI';
  }
  exp10 += 9; // to nano-units
  const nanos = exp10 >= 0 ? digits * pow10(exp10) : divAway(digits, pow10(-exp10));
  return { nanos: sign === '-' ? -nanos : nanos, format };
}

export const quantity = (nanos: bigint, format: QuantityFormat = 'DecimalSI'): Quantity => ({
  nanos,
  format,
});
export const ZERO: Quantity = quantity(0n);

/** A plain count (pods, services, PVCs). */
export const count = (n: number): Quantity => quantity(BigInt(n) * NANO);

export const add = (a: Quantity, b: Quantity): Quantity => quantity(a.nanos + b.nanos, a.format);
export const sub = (a: Quantity, b: Quantity): Quantity => quantity(a.nanos - b.nanos, a.format);
export const times = (a: Quantity, n: number): Quantity => {
  if (!Number.isInteger(n)) throw new RangeError(`times: ${n} is not an integer`);
  return quantity(a.nanos * BigInt(n), a.format);
};
export const compare = (a: Quantity, b: Quantity): number =>
  a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
export const max = (a: Quantity, b: Quantity): Quantity => (compare(a, b) >= 0 ? a : b);
export const isZero = (a: Quantity): boolean => a.nanos === 0n;
export const isPositive = (a: Quantity): boolean => a.nanos > 0n;

/** Compares two quantity strings, for callers that hold strings (for example storage sizes). */
export function compareQuantities(a: string | number, b: string | number): number {
  return compare(parseQuantity(a), parseQuantity(b));
}

/**
 * The canonical text, as apimachinery's Quantity.String() writes it: the largest suffix that keeps
 * the number whole (1536Mi, 500m, 2). BinarySI falls back to decimal suffixes for values that are
 * not whole multiples of 1024 bytes, as apimachinery does.
 */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const neg = q.nanos < 0n;
  const abs = neg ? -q.nanos : q.nanos;
  const sign = neg ? '-' : '';
  if (q.format === 'BinarySI' && abs % NANO === 0n && abs / NANO >= 1024n) {
    const whole = abs / NANO;
    for (const s of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
      const unit = BINARY[s]!;
      if (whole % unit === 0n) return `${sign}${whole / unit}${s}`;
    }
    return `${sign}${whole}`;
  }
  // Largest power of 1000 that divides the value exactly; nano-units always do.
  let e = 18;
  while (e > -9 && abs % pow10(e + 9) !== 0n) e -= 3;
  const mantissa = abs / pow10(e + 9);
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${e === 0 ? '' : `e${e}`}`;
  const suffix = Object.entries(DECIMAL).find(([, v]) => v === e)![0];
  return `${sign}${mantissa}${suffix}`;
}

/** The value as a JavaScript number (approximate for huge values); for display and metrics. */
export function toNumber(q: Quantity): number {
  return Number(q.nanos) / 1e9;
}
