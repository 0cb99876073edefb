// The field catalog of a plugin's config schema: every key, its type, bounds, allowed values and
// default, read from the OpenAPI that CUE derives from #Config. It lets validateConfig say exactly
// what is wrong with each key before CUE, which stays the final authority, is asked at all.
import { CueError, type CueRuntime } from './cue-runtime.ts';

export interface FieldSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  exclusiveMaximum?: boolean | number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  description?: string;
  properties?: Record<string, FieldSchema>;
  required?: string[];
  items?: FieldSchema;
  /** CUE disjunctions of different kinds: the value must match one branch. */
  oneOf?: FieldSchema[];
}

export interface ConfigCatalog {
  /** The #Config object, with $ref and allOf resolved. */
  root: FieldSchema;
  /** The source defines _#Rules, the rules across keys, checked with #Config. */
  hasRules: boolean;
  /** The comment above each key constrained in _#Rules: what the rule demands, in words. */
  rules: Record<string, string>;
}

export const CONFIG_DEFINITION = 'Config';
export const RULES_DEFINITION = '_#Rules';

interface RawSchema extends Record<string, unknown> {
  $ref?: string;
  allOf?: RawSchema[];
  oneOf?: RawSchema[];
  anyOf?: RawSchema[];
}

const cache = new Map<string, ConfigCatalog>();

/** The catalog of a CUE source that defines #Config; cached per source text. */
export function configCatalog(cue: CueRuntime, source: string): ConfigCatalog {
  return (
    cache.get(source) ??
    catalogFromOpenAPI(
      source,
      openapiOf(() => cue.toOpenAPI(source)),
    )
  );
}

/** The same, with the OpenAPI document derived elsewhere (a CUE worker thread, cue-evaluator.ts). */
export async function configCatalogFrom(
  source: string,
  toOpenAPI: (source: string) => Promise<string>,
): Promise<ConfigCatalog> {
  const hit = cache.get(source);
  if (hit) return hit;
  const text = await toOpenAPI(source).catch((err: unknown) => {
    throw compileError(err);
  });
  return catalogFromOpenAPI(source, text);
}

function openapiOf(derive: () => string): string {
  try {
    return derive();
  } catch (err) {
    throw compileError(err);
  }
}

function compileError(err: unknown): unknown {
  return err instanceof CueError ? new CueError(`does not compile: ${err.message}`) : err;
}

function catalogFromOpenAPI(source: string, openapi: string): ConfigCatalog {
  const doc = JSON.parse(openapi) as { components?: { schemas?: Record<string, RawSchema> } };
  const schemas = doc.components?.schemas ?? {};
  const config = schemas[CONFIG_DEFINITION];
  if (!config) {
    throw new CueError(
      `defines no #${CONFIG_DEFINITION}; accepted: CUE that defines the closed definition #${CONFIG_DEFINITION} (definitions found: ${
        Object.keys(schemas)
          .map((k) => `#${k}`)
          .join(', ') || 'none'
      })`,
    );
  }
  const catalog = { root: resolve(config, schemas, 0), ...rulesOf(source) };
  cache.set(source, catalog);
  return catalog;
}

function resolve(raw: RawSchema, schemas: Record<string, RawSchema>, depth: number): FieldSchema {
  if (depth > 32) throw new CueError('config schema nests deeper than 32 levels or refers to itself');
  let s: RawSchema = raw;
  if (s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = schemas[name];
    if (!target) throw new CueError(`config schema refers to #${name}, which it does not define`);
    const { $ref: _ref, ...rest } = s;
    s = { ...target, ...rest };
  }
  if (s.allOf) {
    const { allOf, ...rest } = s;
    s = Object.assign({}, ...allOf.map((a) => resolve(a, schemas, depth + 1)), rest);
  }
  const out: FieldSchema = {};
  for (const key of [
    'type',
    'enum',
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'minLength',
    'maxLength',
    'pattern',
    'default',
    'description',
    'required',
  ] as const) {
    if (s[key] !== undefined) (out as Record<string, unknown>)[key] = s[key];
  }
  const branches = s.oneOf ?? s.anyOf;
  if (branches) out.oneOf = branches.map((b) => resolve(b, schemas, depth + 1));
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.entries(s.properties as Record<string, RawSchema>).map(([k, v]) => [
        k,
        resolve(v, schemas, depth + 1),
      ]),
    );
    out.type ??= 'object';
  }
  if (s.items) out.items = resolve(s.items as RawSchema, schemas, depth + 1);
  return out;
}

/**
 * The comments of _#Rules, by key. CUE's OpenAPI export cannot express rules that refer to other
 * fields, so they live in a hidden definition and their words are read from the source.
 */
export function rulesOf(source: string): { hasRules: boolean; rules: Record<string, string> } {
  const start = source.search(/^_#Rules:\s*\{/m);
  if (start < 0) return { hasRules: false, rules: {} };
  const rules: Record<string, string> = {};
  let comment: string[] = [];
  for (const line of source.slice(start).split('\n').slice(1)) {
    const t = line.trim();
    if (t.startsWith('}') && !line.startsWith('\t\t')) break;
    if (t.startsWith('//')) {
      comment.push(t.replace(/^\/\/\s?/, ''));
      continue;
    }
    const key = /^(?:[A-Za-z_][A-Za-z0-9_]*=)?("(?:[^"\\]|\\.)*"|[A-Za-z_$][A-Za-z0-9_$-]*)\s*:/.exec(t);
    if (key && comment.length > 0) {
      const name = key[1]!.startsWith('"') ? (JSON.parse(key[1]!) as string) : key[1]!;
      rules[name] = comment.join(' ');
    }
    comment = [];
  }
  return { hasRules: true, rules };
}
