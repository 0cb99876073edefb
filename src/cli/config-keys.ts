// The config keys a plugin version accepts, for naming them when a --set key is wrong. The CUE
// schema is the authority: `catalogKeys` reads them from src/config's catalog (CUE's own OpenAPI
// export). `allowedConfigKeys` reads the field labels out of the schema text, for callers without
// the CUE runtime, and adds every key the presets set.
import type { MiddlewareTypeVersion } from '../api/index.ts';
import type { FieldSchema } from '../config/index.ts';
import { leafPaths } from './set-values.ts';

const LABEL = /^\s*(?:"((?:[^"\\]|\\.)+)"|([A-Za-z_$][\w$-]*))[?!]?\s*:(.*)$/;

/**
 * Field paths declared in a CUE schema. Definitions (`#Config: {`) and hidden fields are not part
 * of the path; `a: {` nests. Constraints such as `[string]: int` are skipped.
 */
export function cueFieldPaths(cue: string): string[] {
  const out = new Set<string>();
  const stack: (string | null)[] = [];
  const hasDefinitions = /^\s*#[A-Za-z_]\w*\s*:/m.test(cue);
  for (const rawLine of cue.split('\n')) {
    const line = rawLine.replace(/\/\/.*$/, '');
    const m = LABEL.exec(line);
    const closes = (line.match(/}/g) ?? []).length;
    const opens = (line.match(/{/g) ?? []).length;
    if (m) {
      const label = (m[1] ?? m[2]) as string;
      const rest = (m[3] ?? '').trim();
      const isDefinition = label.startsWith('#') || label.startsWith('_');
      const parents = stack.filter((s): s is string => s !== null);
      // With definitions (#Config: {...}) the keys are their fields; without, the top level.
      if (!isDefinition && (stack.length > 0 || !hasDefinitions)) {
        out.add([...parents, label.replace(/\./g, '\\.')].join('.'));
      }
      if (rest.startsWith('{') && opens > closes) {
        stack.push(isDefinition ? null : label.replace(/\./g, '\\.'));
        continue;
      }
    }
    for (let i = 0; i < opens - closes; i++) stack.push(null);
    for (let i = 0; i < closes - opens; i++) stack.pop();
  }
  // A nested object's own path is implied by its leaves.
  return [...out].filter((p) => ![...out].some((q) => q.startsWith(`${p}.`))).sort();
}

/** Every config key of a plugin version: CUE fields plus keys the presets set. */
export function allowedConfigKeys(version: MiddlewareTypeVersion): string[] {
  const keys = new Set<string>(version.configTemplate ? cueFieldPaths(version.configTemplate) : []);
  for (const p of version.presets ?? []) {
    if (p.config) for (const k of leafPaths(p.config as Record<string, unknown>)) keys.add(k);
  }
  return [...keys].sort();
}

/** Escaped key paths of a config catalog's fields: nested objects with fields recurse. */
export function catalogKeys(schema: FieldSchema, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, f] of Object.entries(schema.properties ?? {})) {
    const key = prefix + k.replace(/\./g, '\\.');
    if (f.properties && Object.keys(f.properties).length > 0) out.push(...catalogKeys(f, `${key}.`));
    else out.push(key);
  }
  return out.sort();
}

/** Config keys that are one name with dots in it (log.retention.hours), as the user writes them. */
export function flatDottedKeys(keys: readonly string[]): string[] {
  return keys
    .filter((k) => k.includes('\\.') && !k.replace(/\\\./g, '').includes('.'))
    .map((k) => k.replace(/\\\./g, '.'));
}
