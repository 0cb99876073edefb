import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { MiddlewareBackup, MiddlewareInstance, MiddlewareType } from '../../../src/api/index.ts';
import type { ResolvedPlugin } from '../../../src/plugins/types.ts';
import type { AdmissionRequest } from '../../../src/webhook/admission.ts';
import { type InstanceAdmissionDeps, instanceValidator } from '../../../src/webhook/validate-instance.ts';
import {
  backupValidator,
  operationValidator,
  type ReferenceLookups,
} from '../../../src/webhook/validate-others.ts';

const fixtures = join(import.meta.dirname, '../../fixtures');
const instance = parse(
  readFileSync(join(fixtures, 'instances/redis-cache.yaml'), 'utf8'),
) as MiddlewareInstance;
const type = parse(readFileSync(join(fixtures, 'types/tiny.yaml'), 'utf8')) as MiddlewareType;

const plugin: ResolvedPlugin = {
  typeName: 'redis',
  type,
  version: { ...type.spec.versions[0]!, scalingRules: { minReplicas: 1, maxReplicas: 3 } },
  middleware: type.spec.versions[0]!.supportedVersions[0]!,
  hookPort: 8080,
};

function deps(over: Partial<InstanceAdmissionDeps> = {}): InstanceAdmissionDeps {
  return {
    resolve: (t, pv) => {
      if (t !== 'redis') throw new Error(`spec.type: unknown type "${t}"; known types: redis`);
      if (pv !== 'v1' && pv !== 'v2')
        throw new Error(`spec.pluginVersion: redis has no plugin version ${pv}; published: v1, v2`);
      return plugin;
    },
    canUpgrade: (_t, from, to) =>
      from === 'v1' && to === 'v2' ? { ok: true } : { ok: false, reason: `${to} declares upgradeFrom: [v1]` },
    validateConfig: async () => ({ ok: true, config: { values: {}, files: {}, checksum: 'x' } }),
    quotaViolations: async () => [],
    ...over,
  };
}

const req = (
  object: unknown,
  operation: AdmissionRequest['operation'] = 'CREATE',
  oldObject?: unknown,
): AdmissionRequest => ({
  uid: 'u',
  kind: { group: 'mwop.dev', version: 'v1alpha1', kind: 'MiddlewareInstance' },
  operation,
  namespace: 'team-a',
  object: object as Record<string, unknown>,
  oldObject: oldObject as Record<string, unknown>,
});

const withSpec = (patch: Partial<MiddlewareInstance['spec']>) => ({
  ...instance,
  spec: { ...instance.spec, ...patch },
});

describe('instanceValidator', () => {
  it('admits a valid instance', async () => {
    expect(await instanceValidator(deps())(req(instance))).toEqual({ allowed: true });
  });

  it('rejects an unknown type with the list of known types', async () => {
    const v = await instanceValidator(deps())(req(withSpec({ type: 'mongo' })));
    expect(v).toMatchObject({
      allowed: false,
      message: 'spec.type: unknown type "mongo"; known types: redis',
    });
  });

  it('rejects schema errors before anything else, all at once', async () => {
    const v = await instanceValidator(deps())(
      req(withSpec({ replicas: -2, serviceType: 'Ingress' as never })),
    );
    expect(v.allowed).toBe(false);
    expect(!v.allowed && v.message).toContain('spec.replicas: must be >= 0 (got -2)');
    expect(!v.allowed && v.message).toContain('spec.serviceType: must be one of');
  });

  it('rejects replicas outside the type bounds', async () => {
    const v = await instanceValidator(deps())(req(withSpec({ replicas: 5 })));
    expect(v).toMatchObject({
      allowed: false,
      message: 'spec.replicas: 5 is outside what redis v1 allows: 1 to 3',
    });
  });

  it('rejects an upgrade that upgradeFrom does not allow, and admits one it does', async () => {
    const old = withSpec({ pluginVersion: 'v2' });
    const bad = await instanceValidator(
      deps({ canUpgrade: () => ({ ok: false, reason: 'v1 is not in upgradeFrom of v1' }) }),
    )(req(withSpec({ pluginVersion: 'v1' }), 'UPDATE', old));
    expect(bad).toMatchObject({
      allowed: false,
      message: 'spec.pluginVersion: cannot upgrade redis from v2 to v1: v1 is not in upgradeFrom of v1',
    });
    const good = await instanceValidator(deps())(req(withSpec({ pluginVersion: 'v2' }), 'UPDATE', instance));
    expect(good.allowed).toBe(true);
  });

  it('passes config errors through with path and value', async () => {
    const v = await instanceValidator(
      deps({
        validateConfig: async () => ({
          ok: false,
          errors: [
            {
              path: 'spec.config.overrides.maxmemory-policy',
              value: 'lru',
              message: 'must be one of: "noeviction", "allkeys-lru"',
            },
          ],
        }),
      }),
    )(req(instance));
    expect(v).toMatchObject({
      allowed: false,
      message:
        'spec.config.overrides.maxmemory-policy: must be one of: "noeviction", "allkeys-lru" (got "lru")',
    });
  });

  it('rejects over-quota instances with 403 and the numbers', async () => {
    const msg = 'exceeded quota "team-a": requests.memory: requested 6Gi, available 2Gi (hard 8Gi, used 6Gi)';
    const v = await instanceValidator(deps({ quotaViolations: async () => [msg] }))(req(instance));
    expect(v).toEqual({ allowed: false, code: 403, message: msg });
  });

  it('lets status-only updates and deletions through untouched', async () => {
    const resolve = () => {
      throw new Error('must not be called');
    };
    expect(await instanceValidator(deps({ resolve }))(req(instance, 'UPDATE', instance))).toEqual({
      allowed: true,
    });
    expect(await instanceValidator(deps({ resolve }))(req(undefined, 'DELETE'))).toEqual({ allowed: true });
  });
});

describe('backup and operation validators', () => {
  const backup: MiddlewareBackup = {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareBackup',
    metadata: { name: 'b1', namespace: 'team-a' },
    spec: { instanceRef: { name: 'cache' }, storage: 's3-main' },
    status: { phase: 'Succeeded', type: 'mysql' },
  };
  const look = (over: Partial<ReferenceLookups> = {}): ReferenceLookups => ({
    instance: async (_ns, name) => (name === 'cache' ? instance : undefined),
    backup: async (_ns, name) => (name === 'b1' ? backup : undefined),
    storage: async (name) => (name === 's3-main' ? ({} as never) : undefined),
    storageNames: async () => ['s3-main'],
    ...over,
  });
  const breq = (object: unknown, kind: string) => ({
    ...req(object),
    kind: { group: 'mwop.dev', version: 'v1alpha1', kind },
  });

  it('a backup of a nonexistent instance, to an unknown storage, is rejected naming both', async () => {
    const v = await backupValidator(look())(
      breq({ ...backup, spec: { instanceRef: { name: 'ghost' }, storage: 'nowhere' } }, 'MiddlewareBackup'),
    );
    expect(v.allowed).toBe(false);
    expect(!v.allowed && v.message).toBe(
      '2 problems:\n- spec.instanceRef.name: no MiddlewareInstance "ghost" in namespace team-a\n- spec.storage: no BackupStorage "nowhere"; existing: s3-main',
    );
  });

  it('a restore from a backup of another type is rejected', async () => {
    const op = {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareOperation',
      metadata: { name: 'r1', namespace: 'team-a' },
      spec: { instanceRef: { name: 'cache' }, type: 'Restore', restore: { backup: 'b1' } },
    };
    const v = await operationValidator(look())(breq(op, 'MiddlewareOperation'));
    expect(v).toMatchObject({
      allowed: false,
      message:
        'spec.restore.backup: backup b1 is of type mysql, but instance cache is redis; restore it into a mysql instance',
    });
  });
});
