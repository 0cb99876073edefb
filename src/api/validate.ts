// Validates an object against its kind's generated OpenAPI schema with a real JSON-schema
// validator (ajv), and turns ajv's errors into messages that name the field path, the value
// given and what is accepted. CEL rules are the apiserver's job and are not evaluated here.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { kindSchema } from './crd.ts';
import type { KindDefinition } from './kinds.ts';

export interface FieldError {
  path: string;
  value: unknown;
  message: string;
}

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
for (const keyword of [
  'x-kubernetes-validations',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
]) {
  ajv.addKeyword({ keyword });
}
ajv.addFormat('int32', { type: 'number', validate: (n: number) => n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s));

const compiled = new Map<string, ValidateFunction>();

function validatorFor(def: KindDefinition): ValidateFunction {
  let fn = compiled.get(def.kind);
  if (!fn) {
    fn = ajv.compile(kindSchema(def));
    compiled.set(def.kind, fn);
  }
  return fn;
}

function pathOf(err: ErrorObject): string {
  const parts = err.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  for (const p of parts) path += /^\d+$/.test(p) ? `[${p}]` : path === '' ? p : `.${p}`;
  if (err.keyword === 'required') {
    const missing = (err.params as { missingProperty: string }).missingProperty;
    return path === '' ? missing : `${path}.${missing}`;
  }
  return path === '' ? '(root)' : path;
}

function valueAt(obj: unknown, instancePath: string): unknown {
  let cur: unknown = obj;
  for (const p of instancePath.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function describe(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `must be of type ${String(p.type)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'pattern':
      return `must match ${String(p.pattern)}`;
    case 'minLength':
      return `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'minItems':
      return `must have at least ${String(p.limit)} items`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'format':
      return `must be a valid ${String(p.format)}`;
    default:
      return err.message ?? err.keyword;
  }
}

/** Returns every schema violation of `obj`, most specific first, deduplicated. */
export function validateAgainstSchema(def: KindDefinition, obj: unknown): FieldError[] {
  const fn = validatorFor(def);
  if (fn(obj)) return [];
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const err of fn.errors ?? []) {
    // The int-or-string anyOf reports each branch; the pattern/type errors say enough.
    if (err.keyword === 'anyOf') continue;
    const value = err.keyword === 'required' ? undefined : valueAt(obj, err.instancePath);
    const fe = { path: pathOf(err), value, message: describe(err) };
    const key = `${fe.path}|${fe.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(fe);
    }
  }
  return out;
}

export function formatFieldError(e: FieldError): string {
  const given = e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`;
  return `${e.path}: ${e.message}${given}`;
}
