// Pure: a KindDefinition becomes an apiextensions.k8s.io/v1 CustomResourceDefinition.
import type { KindDefinition } from './kinds.ts';
import { GROUP, type TSchema, VERSION } from './schema-kit.ts';

export type OpenApiSchema = Record<string, unknown>;

/**
 * TypeBox schema -> structural OpenAPI v3. JSON round-tripping drops TypeBox's symbol keys;
 * `$id` is not allowed in a CRD; `additionalProperties: false` beside `properties` is not
 * structural (the apiserver prunes unknown fields instead).
 */
export function toOpenApi(schema: TSchema): OpenApiSchema {
  const plain = JSON.parse(JSON.stringify(schema)) as OpenApiSchema;
  return clean(plain);
}

function clean(node: unknown): OpenApiSchema {
  if (Array.isArray(node)) return node.map(clean) as unknown as OpenApiSchema;
  if (node === null || typeof node !== 'object') return node as OpenApiSchema;
  const out: OpenApiSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id' || key === '$schema') continue;
    if (key === 'additionalProperties' && value === false) continue;
    // Examples and enum lists are data, not schemas: copy them verbatim.
    out[key] = key === 'enum' || key === 'default' || key === 'required' ? value : clean(value);
  }
  return out;
}

export function kindSchema(def: KindDefinition): OpenApiSchema {
  return {
    type: 'object',
    description: def.description,
    required: ['spec'],
    properties: {
      apiVersion: {
        type: 'string',
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource.' },
      metadata: { type: 'object' },
      spec: toOpenApi(def.spec),
      status: toOpenApi(def.status),
    },
  };
}

export function toCrd(def: KindDefinition): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'mwop' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: ['middleware', 'mwop'],
      },
      scope: def.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: { openAPIV3Schema: kindSchema(def) },
        },
      ],
    },
  };
}
