// Typed builders for the CRD schemas. Every schema here is the single source of truth for both
// the TypeScript type (via TypeBox's Static) and the OpenAPI v3 schema written into crds/.
// Only constructs that are valid in a Kubernetes *structural* schema are produced.
import { type Static, type TSchema, Type } from '@sinclair/typebox';

export type { Static, TSchema };
export { Type };

export const GROUP = 'mwop.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A Kubernetes resource quantity such as `500m`, `2Gi` or `1`. */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** A DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric. */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** A DNS-1123 subdomain, as used for most object names. */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** Go-style duration (`90m`, `720h`) or days (`30d`), used for retention ages. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h|d))+$';

export type Rule = { rule: string; message: string; reason?: string; fieldPath?: string };

type Opts = Record<string, unknown>;

export function str(description: string, opts: Opts = {}) {
  return Type.String({ description, maxLength: 1024, ...opts });
}

export function name(description: string, opts: Opts = {}) {
  return Type.String({ description, minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN, ...opts });
}

export function int(description: string, opts: Opts = {}) {
  return Type.Integer({ description, format: 'int32', ...opts });
}

export function bool(description: string, opts: Opts = {}) {
  return Type.Boolean({ description, ...opts });
}

export function time(description: string) {
  return Type.String({ description, format: 'date-time' });
}

/** A closed set of strings, rendered as an OpenAPI `enum` (not anyOf) so kubectl explain lists it. */
export function stringEnum<const T extends readonly string[]>(
  values: T,
  description: string,
  opts: Opts = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], description, ...opts });
}

export function quantity(description: string) {
  return Type.Unsafe<string | number>({
    description,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
    'x-kubernetes-int-or-string': true,
  });
}

/** A size that CEL can compare (`quantity(self)`): always a string such as `10Gi`. */
export function sizeString(description: string, opts: Opts = {}) {
  return Type.String({ description, pattern: QUANTITY_PATTERN, maxLength: 64, ...opts });
}

export function stringMap(description: string, opts: Opts = {}) {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    description,
    additionalProperties: { type: 'string', maxLength: 4096 },
    ...opts,
  });
}

/** Arbitrary JSON the apiserver keeps as-is (config values, hook bodies). */
export function freeForm(description: string) {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    description,
    'x-kubernetes-preserve-unknown-fields': true,
  });
}

export function list<T extends TSchema>(items: T, description: string, opts: Opts = {}) {
  return Type.Array(items, { description, ...opts });
}

export function obj<P extends Record<string, TSchema>>(properties: P, description: string, opts: Opts = {}) {
  return Type.Object(properties, { description, ...opts });
}

export const opt = Type.Optional;

export function withRules<T extends TSchema>(schema: T, rules: Rule[]): T {
  return { ...schema, 'x-kubernetes-validations': rules } as T;
}

export const immutable = (what: string): Rule => ({
  rule: 'self == oldSelf',
  message: `${what} is immutable once set`,
});
