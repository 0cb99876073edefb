// Field-by-field checks of config values against the catalog. Pure. Each problem names the key,
// and says what is accepted in words: the enum values, the bounds, the type, or the known keys.
import type { FieldSchema } from './catalog.ts';

export interface FieldProblem {
  /** Key path inside the config, e.g. ["maxmemory-policy"]; list items as "[1]". */
  path: string[];
  value: unknown;
  message: string;
}

const quote = (v: unknown) => JSON.stringify(v);

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function bounds(s: FieldSchema): string {
  const lowEx = s.exclusiveMinimum === true || typeof s.exclusiveMinimum === 'number';
  const highEx = s.exclusiveMaximum === true || typeof s.exclusiveMaximum === 'number';
  const low = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : s.minimum;
  const high = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : s.maximum;
  if (low !== undefined && high !== undefined && !lowEx && !highEx) return ` from ${low} to ${high}`;
  const parts: string[] = [];
  if (low !== undefined) parts.push(lowEx ? `greater than ${low}` : `of at least ${low}`);
  if (high !== undefined)
    parts.push(highEx ? `less than ${high}` : `${parts.length ? '' : 'of '}at most ${high}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

/** What the field accepts, in words: `one of "a", "b"`, `an integer from 1 to 64`, ... */
export function describeAccepted(s: FieldSchema): string {
  if (s.enum) return `one of ${s.enum.map(quote).join(', ')}`;
  if (s.oneOf) return s.oneOf.map(describeAccepted).join(', or ');
  switch (s.type) {
    case 'integer':
      return `an integer${bounds(s)}`;
    case 'number':
      return `a number${bounds(s)}`;
    case 'boolean':
      return 'true or false';
    case 'string': {
      const len =
        s.minLength !== undefined && s.maxLength !== undefined
          ? ` of ${s.minLength} to ${s.maxLength} characters`
          : s.maxLength !== undefined
            ? ` of at most ${s.maxLength} characters`
            : s.minLength !== undefined
              ? ` of at least ${s.minLength} characters`
              : '';
      return `a string${len}${s.pattern ? ` matching ${s.pattern}` : ''}`;
    }
    case 'array':
      return s.items ? `a list, each item ${describeAccepted(s.items)}` : 'a list';
    case 'object':
      return s.properties ? `an object with the keys ${Object.keys(s.properties).join(', ')}` : 'an object';
    default:
      return 'any value';
  }
}

function typeMatches(s: FieldSchema, value: unknown): boolean {
  switch (s.type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return value !== null;
  }
}

const hint = (s: FieldSchema) => (s.description ? ` (${s.description.replace(/\s+/g, ' ').trim()})` : '');

/** Problems of one value against one field schema; empty when it is accepted. */
export function checkValue(s: FieldSchema, value: unknown, path: string[], label?: string): FieldProblem[] {
  const expected = `expected ${describeAccepted(s)}`;
  if (s.oneOf) {
    return s.oneOf.some((b) => checkValue(b, value, path).length === 0)
      ? []
      : [{ path, value, message: `${expected}${hint(s)}` }];
  }
  if (!typeMatches(s, value)) {
    return [{ path, value, message: `${expected}, not ${kindOf(value)}` }];
  }
  if (s.enum) {
    return s.enum.some((e) => e === value) ? [] : [{ path, value, message: expected }];
  }
  if (typeof value === 'number') {
    const lowEx = s.exclusiveMinimum === true || typeof s.exclusiveMinimum === 'number';
    const highEx = s.exclusiveMaximum === true || typeof s.exclusiveMaximum === 'number';
    const low = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : s.minimum;
    const high = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : s.maximum;
    const tooLow = low !== undefined && (lowEx ? value <= low : value < low);
    const tooHigh = high !== undefined && (highEx ? value >= high : value > high);
    if (tooLow || tooHigh) return [{ path, value, message: `out of range: ${expected}` }];
  }
  if (typeof value === 'string') {
    if (
      (s.minLength !== undefined && [...value].length < s.minLength) ||
      (s.maxLength !== undefined && [...value].length > s.maxLength)
    )
      return [{ path, value, message: `wrong length: ${expected}` }];
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value))
      return [{ path, value, message: `${expected}${hint(s)}` }];
  }
  if (Array.isArray(value) && s.items) {
    return value.flatMap((v, i) => checkValue(s.items!, v, [...path, `[${i}]`], label));
  }
  if (s.type === 'object' && s.properties) {
    return checkObject(s, value as Record<string, unknown>, path, label);
  }
  return [];
}

/** Checks every key of an object: unknown keys by name (with the closest known one), then values. */
export function checkObject(
  s: FieldSchema,
  obj: Record<string, unknown>,
  path: string[] = [],
  label?: string,
): FieldProblem[] {
  const props = s.properties ?? {};
  const known = Object.keys(props).sort();
  const out: FieldProblem[] = [];
  for (const [key, value] of Object.entries(obj)) {
    const field = props[key];
    if (!field) {
      const near = closest(key, known);
      out.push({
        path: [...path, key],
        value,
        message: `unknown key${label ? ` for ${label}` : ''}; ${near ? `did you mean "${near}"? ` : ''}accepted keys: ${known.join(', ')}`,
      });
      continue;
    }
    out.push(...checkValue(field, value, [...path, key], label));
  }
  return out;
}

/** The known key closest to a mistyped one, when it is close enough to be a likely typo. */
export function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const k = key.toLowerCase();
  for (const candidate of known) {
    const d = levenshtein(k, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Joins a key path: keys with dots, list items in brackets ("node.roles", "[1]" -> node.roles[1]). */
export function joinPath(parts: readonly string[]): string {
  return parts.reduce((acc, p) => (p.startsWith('[') || acc === '' ? acc + p : `${acc}.${p}`), '');
}
