// Argo's resource-template success and failure conditions, evaluated the way argoexec does it
// (workflow/executor/resource.go in argo-workflows v3.7): the condition is a Kubernetes label
// selector whose keys are gjson paths into the object, e.g.
//   status.replicas == 3, status.readyReplicas == 3, status.updatedReplicas > 1
// Each requirement is matched like a label requirement against the value at that path:
//   = == in      the path exists and its string value is one of the values
//   != notin     the path is missing, or its string value is none of the values
//   (key) !(key) the path exists / does not exist
//   > <          the path exists, parses as an integer, and compares so with the one integer value
// Pure; the executor polls the object and calls matchConditions.

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export class ConditionSyntaxError extends Error {}

const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function checkValue(value: string, selector: string): string {
  if (value.length > 63 || !VALUE.test(value)) {
    throw new ConditionSyntaxError(
      `condition '${selector}': value '${value}' is not a valid label value (at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric)`,
    );
  }
  return value;
}

/** Parses a selector; throws ConditionSyntaxError naming the bad part, as labels.Parse would fail. */
export function parseConditions(selector: string): Requirement[] {
  return splitTopLevel(selector).map((part) => {
    const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (set) {
      const values = (set[3] as string)
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
        .map((v) => checkValue(v, selector));
      return { key: set[1] as string, operator: set[2] as Operator, values };
    }
    const cmp = /^(\S+?)\s*(==|!=|=|>|<)\s*(\S*)$/.exec(part);
    if (cmp) {
      const operator = cmp[2] as Operator;
      const value = checkValue(cmp[3] as string, selector);
      if ((operator === '>' || operator === '<') && !/^-?\d+$/.test(value)) {
        throw new ConditionSyntaxError(
          `condition '${selector}': '${part}' compares with '${value}', but ${operator} needs an integer`,
        );
      }
      return { key: cmp[1] as string, operator, values: [value] };
    }
    const not = /^!\s*(\S+)$/.exec(part);
    if (not) return { key: not[1] as string, operator: '!', values: [] };
    if (/^[^\s=!<>(),]+$/.test(part)) return { key: part, operator: 'exists', values: [] };
    throw new ConditionSyntaxError(
      `condition '${selector}': cannot parse '${part}' (expected 'path op value' with op one of = == != > < in notin)`,
    );
  });
}

/** The value at a gjson-style dotted path ("status.readyReplicas", "items.0.name"), as a string. */
export function valueAt(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const segment of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[segment];
    if (cur === undefined) return undefined;
  }
  if (cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function matches(req: Requirement, obj: unknown): boolean {
  const value = valueAt(obj, req.key);
  switch (req.operator) {
    case '=':
    case '==':
    case 'in':
      return value !== undefined && req.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !req.values.includes(value);
    case 'exists':
      return value !== undefined;
    case '!':
      return value === undefined;
    case '>':
    case '<': {
      if (value === undefined || !/^-?\d+$/.test(value)) return false;
      const a = BigInt(value);
      const b = BigInt(req.values[0] as string);
      return req.operator === '>' ? a > b : a < b;
    }
  }
}

export type ConditionOutcome =
  | { state: 'succeeded' }
  | { state: 'failed'; message: string }
  | { state: 'waiting'; unmet: string[] };

/** Failure conditions first (any one fails the step), then every success condition must hold. */
export function matchConditions(
  obj: unknown,
  success: Requirement[],
  failure: Requirement[],
): ConditionOutcome {
  for (const req of failure) {
    if (matches(req, obj))
      return { state: 'failed', message: `failure condition '${show(req)}' evaluated true` };
  }
  const unmet = success.filter((r) => !matches(r, obj)).map(show);
  return unmet.length === 0 ? { state: 'succeeded' } : { state: 'waiting', unmet };
}

export function show(req: Requirement): string {
  switch (req.operator) {
    case 'exists':
      return req.key;
    case '!':
      return `!${req.key}`;
    case 'in':
    case 'notin':
      return `${req.key} ${req.operator} (${req.values.join(',')})`;
    default:
      return `${req.key}${req.operator}${req.values[0]}`;
  }
}
