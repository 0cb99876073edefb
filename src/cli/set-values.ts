// `--set key=value` for config overrides, as Helm reads it: dotted keys nest (`a.b=1` is
// {a: {b: 1}}, `a\.b=1` keeps the dot), values are typed (true/false, null, numbers, JSON lists
// and objects), and quoting forces a string (`--set port='"6379"'`).
import { CliError } from './errors.ts';

export type ConfigValues = Record<string, unknown>;

/** Splits `a.b\.c` into ['a', 'b.c']. */
export function splitKey(key: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key[i] as string;
    if (ch === '\\' && key[i + 1] === '.') {
      cur += '.';
      i++;
    } else if (ch === '.') {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts;
}

/** Types a value the way Helm's --set does, plus JSON for lists and objects. */
export function typedValue(raw: string): unknown {
  if (
    raw.length >= 2 &&
    ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("'") && raw.endsWith("'")))
  ) {
    return raw.slice(1, -1);
  }
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  // Integers without leading zeros (a "0755" stays a string), and plain decimals.
  if (/^-?(0|[1-9][0-9]*)$/.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : raw;
  }
  if (/^-?(0|[1-9][0-9]*)\.[0-9]+$/.test(raw)) return Number(raw);
  if ((raw.startsWith('[') && raw.endsWith(']')) || (raw.startsWith('{') && raw.endsWith('}'))) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new CliError(
        `--set value ${raw} looks like a JSON ${raw.startsWith('[') ? 'list' : 'object'} but does not parse`,
        `write valid JSON (for example --set 'key=["a","b"]'), or quote it to keep it a string: --set 'key="${raw}"'`,
      );
    }
  }
  return raw;
}

/**
 * Parses every --set into one nested object; later values win, contradictions are errors.
 * `flatKeys` are config keys whose names contain dots (Kafka's log.retention.hours,
 * Elasticsearch's cluster.name): written as they are, they stay one key instead of nesting.
 */
export function parseSetValues(items: readonly string[], flatKeys: readonly string[] = []): ConfigValues {
  const out: ConfigValues = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new CliError(
        `--set ${JSON.stringify(item)}: expected key=value`,
        'write it as --set <key>=<value>, for example --set maxmemory-policy=allkeys-lru',
      );
    }
    const key = item.slice(0, eq);
    const path = flatKeys.includes(key) ? [key] : splitKey(key);
    if (path.some((p) => p.trim() === '')) {
      throw new CliError(
        `--set ${JSON.stringify(item)}: key ${JSON.stringify(key)} has an empty part`,
        'separate nested keys with single dots (a.b=1); write a literal dot as \\. (a\\.b=1)',
      );
    }
    setPath(out, path, typedValue(item.slice(eq + 1)), item);
  }
  return out;
}

function setPath(target: ConfigValues, path: string[], value: unknown, item: string): void {
  let cur = target;
  for (let i = 0; i < path.length - 1; i++) {
    const p = path[i] as string;
    const next = cur[p];
    if (next === undefined) {
      cur[p] = {};
    } else if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      throw new CliError(
        `--set ${JSON.stringify(item)}: ${path.slice(0, i + 1).join('.')} was already set to ${JSON.stringify(next)}, so it cannot also hold ${path.slice(i + 1).join('.')}`,
        'give the key either a value or nested keys, not both',
      );
    }
    cur = cur[p] as ConfigValues;
  }
  cur[path[path.length - 1] as string] = value;
}

/** How a key path is shown to a user: dots inside a key name need no escape on the command line. */
export function displayKey(path: string): string {
  return path.replace(/\\\./g, '.');
}

/** Dotted paths of every leaf, e.g. {a: {b: 1}, c: 2} -> ['a.b', 'c']. Dots in keys are escaped. */
export function leafPaths(values: ConfigValues, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const key = prefix + k.replace(/\./g, '\\.');
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      out.push(...leafPaths(v as ConfigValues, `${key}.`));
    } else {
      out.push(key);
    }
  }
  return out;
}

/**
 * The --set keys that are not config keys of the plugin version. A key is known when it is an
 * allowed path, lies under one (free-form objects), or leads to one.
 */
export function unknownKeys(values: ConfigValues, allowed: readonly string[]): string[] {
  return leafPaths(values).filter(
    (p) => !allowed.some((a) => a === p || p.startsWith(`${a}.`) || a.startsWith(`${p}.`)),
  );
}
