import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ALL_KINDS,
  formatFieldError,
  INSTANCE_PHASES,
  type KindDefinition,
  MiddlewareInstanceKind,
  validateAgainstSchema,
} from '../../../src/api/index.ts';

const fixtures = join(import.meta.dirname, '../../fixtures');
const kindByName = new Map(ALL_KINDS.map((k) => [k.kind, k]));

function load(rel: string): Record<string, unknown> {
  return parse(readFileSync(join(fixtures, rel), 'utf8')) as Record<string, unknown>;
}

function errorsFor(obj: Record<string, unknown>): string[] {
  const def = kindByName.get(String(obj.kind)) as KindDefinition;
  return validateAgainstSchema(def, obj).map(formatFieldError);
}

describe('valid fixtures pass the generated schema', () => {
  const files = ['instances', 'backups', 'operations', 'storages', 'types'].flatMap((dir) =>
    readdirSync(join(fixtures, dir)).map((f) => `${dir}/${f}`),
  );
  it.each(files)('%s', (file) => {
    expect(errorsFor(load(file))).toEqual([]);
  });
});

function instanceWith(patch: (spec: Record<string, unknown>) => void): Record<string, unknown> {
  const obj = structuredClone(load('instances/mysql-full.yaml'));
  patch(obj.spec as Record<string, unknown>);
  return obj;
}

describe('invalid MiddlewareInstances are rejected with path, value and what is accepted', () => {
  const cases: Array<[string, (s: Record<string, unknown>) => void, string]> = [
    [
      'unknown serviceType',
      (s) => {
        s.serviceType = 'Ingress';
      },
      'spec.serviceType: must be one of: "ClusterIP", "NodePort", "LoadBalancer" (got "Ingress")',
    ],
    [
      'negative replicas',
      (s) => {
        s.replicas = -1;
      },
      'spec.replicas: must be >= 0 (got -1)',
    ],
    [
      'missing pluginVersion',
      (s) => {
        delete s.pluginVersion;
      },
      'spec.pluginVersion: is required',
    ],
    [
      'pluginVersion without v',
      (s) => {
        s.pluginVersion = '1.0';
      },
      'spec.pluginVersion: must match ^v[0-9]+([.-][0-9A-Za-z]+)*$ (got "1.0")',
    ],
    [
      'storage size in words',
      (s) => {
        (s.storage as Record<string, unknown>).size = 'ten gigs';
      },
      'spec.storage.size: must match',
    ],
    [
      'deletionPolicy typo',
      (s) => {
        s.deletionPolicy = 'Keep';
      },
      'spec.deletionPolicy: must be one of: "Delete", "Retain" (got "Keep")',
    ],
    [
      'type with capitals',
      (s) => {
        s.type = 'Redis';
      },
      'spec.type: must match',
    ],
    [
      'retention maxAge not a duration',
      (s) => {
        (s.backup as { retention: Record<string, unknown> }).retention.maxAge = 'forever';
      },
      'spec.backup.retention.maxAge: must match',
    ],
    [
      'retention maxCount zero',
      (s) => {
        (s.backup as { retention: Record<string, unknown> }).retention.maxCount = 0;
      },
      'spec.backup.retention.maxCount: must be >= 1 (got 0)',
    ],
    [
      'cpu that is not a quantity',
      (s) => {
        (s.resources as { limits: Record<string, unknown> }).limits.cpu = 'lots';
      },
      'spec.resources.limits.cpu: must match',
    ],
    [
      'replicas as a string',
      (s) => {
        s.replicas = '3';
      },
      'spec.replicas: must be of type integer (got "3")',
    ],
    [
      'tls issuer kind',
      (s) => {
        (s.tls as { issuerRef: Record<string, unknown> }).issuerRef.kind = 'CA';
      },
      'spec.tls.issuerRef.kind: must be one of: "Issuer", "ClusterIssuer" (got "CA")',
    ],
  ];
  it.each(cases)('%s', (_name, patch, expected) => {
    const errors = errorsFor(instanceWith(patch));
    expect(
      errors.some((e) => e.startsWith(expected)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('a missing spec is named', () => {
    const obj = load('instances/redis-cache.yaml');
    delete obj.spec;
    expect(errorsFor(obj)).toEqual(['spec: is required']);
  });
});

describe('other kinds reject bad input', () => {
  it('MiddlewareOperation with an unknown type', () => {
    const obj = load('operations/switchover.yaml');
    (obj.spec as Record<string, unknown>).type = 'Reboot';
    expect(errorsFor(obj)).toContain(
      'spec.type: must be one of: "Restore", "Switchover", "Failover", "Restart", "CustomHook" (got "Reboot")',
    );
  });
  it('BackupStorage with a non-http endpoint and a bad bucket', () => {
    const obj = load('storages/minio.yaml');
    Object.assign(obj.spec as object, { endpoint: 'ftp://files', bucket: 'Bad_Bucket' });
    const errors = errorsFor(obj);
    expect(errors.some((e) => e.startsWith('spec.endpoint: must match'))).toBe(true);
    expect(errors.some((e) => e.startsWith('spec.bucket: must match'))).toBe(true);
  });
  it('MiddlewareType without supported versions and with zero minReplicas', () => {
    const obj = load('types/tiny.yaml');
    const version = (obj.spec as { versions: Array<Record<string, unknown>> }).versions[0]!;
    version.supportedVersions = [];
    version.scalingRules = { minReplicas: 0, maxReplicas: 3 };
    const errors = errorsFor(obj);
    expect(errors).toContain('spec.versions[0].supportedVersions: must have at least 1 items (got [])');
    expect(errors).toContain('spec.versions[0].scalingRules.minReplicas: must be >= 1 (got 0)');
  });
  it('MiddlewareBackup without an instanceRef', () => {
    const obj = load('backups/manual.yaml');
    delete (obj.spec as Record<string, unknown>).instanceRef;
    expect(errorsFor(obj)).toEqual(['spec.instanceRef: is required']);
  });
});

describe('status phases', () => {
  it('the instance phase enum is exactly FR-006', () => {
    expect([...INSTANCE_PHASES]).toEqual([
      'Pending',
      'Initializing',
      'Running',
      'Scaling',
      'Upgrading',
      'BackingUp',
      'Restoring',
      'Maintenance',
      'Failed',
      'Terminating',
    ]);
    const obj = { ...load('instances/redis-cache.yaml'), status: { phase: 'Exploding' } };
    expect(validateAgainstSchema(MiddlewareInstanceKind, obj).map(formatFieldError)[0]).toMatch(
      /^status\.phase: must be one of: "Pending", .*"Terminating" \(got "Exploding"\)$/,
    );
  });
});
