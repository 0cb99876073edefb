// Admission of an instance's backup settings: schedule, retention, storage and restoreFrom, at the
// same level as validators.test.ts (the validator with stand-in lookups; no server).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type {
  BackupStorage,
  MiddlewareBackup,
  MiddlewareInstance,
  MiddlewareType,
} from '../../../src/api/index.ts';
import type { ResolvedPlugin } from '../../../src/plugins/types.ts';
import type { AdmissionRequest } from '../../../src/webhook/admission.ts';
import { backupPolicyProblems } from '../../../src/webhook/validate-backup-policy.ts';
import { type InstanceAdmissionDeps, instanceValidator } from '../../../src/webhook/validate-instance.ts';
import { backupValidator, type ReferenceLookups } from '../../../src/webhook/validate-others.ts';

const fixtures = join(import.meta.dirname, '../../fixtures');
const base = parse(readFileSync(join(fixtures, 'instances/redis-cache.yaml'), 'utf8')) as MiddlewareInstance;
const type = parse(readFileSync(join(fixtures, 'types/tiny.yaml'), 'utf8')) as MiddlewareType;
const plugin: ResolvedPlugin = {
  typeName: 'redis',
  type,
  version: { ...type.spec.versions[0]!, scalingRules: { minReplicas: 1, maxReplicas: 3 } },
  middleware: type.spec.versions[0]!.supportedVersions[0]!,
  hookPort: 8080,
};

const backupOf = (name: string, status: MiddlewareBackup['status']): MiddlewareBackup => ({
  apiVersion: 'mwop.dev/v1alpha1',
  kind: 'MiddlewareBackup',
  metadata: { name, namespace: 'team-a' },
  spec: { instanceRef: { name: 'other' }, storage: 's3-main' },
  ...(status ? { status } : {}),
});
const BACKUPS: Record<string, MiddlewareBackup> = {
  'redis-ok': backupOf('redis-ok', { phase: 'Succeeded', type: 'redis' }),
  'mysql-ok': backupOf('mysql-ok', { phase: 'Succeeded', type: 'mysql' }),
  'redis-running': backupOf('redis-running', { phase: 'Running', type: 'redis' }),
};

/** Lookups that count their calls, so the tests can show an ordinary update reads nothing. */
function lookups() {
  const calls: string[] = [];
  const look: ReferenceLookups = {
    instance: async () => undefined,
    backup: async (ns, name) => {
      calls.push(`backup ${ns}/${name}`);
      return BACKUPS[name];
    },
    storage: async (name) => {
      calls.push(`storage ${name}`);
      return name === 's3-main' ? ({ metadata: { name } } as BackupStorage) : undefined;
    },
    storageNames: async () => ['s3-main', 's3-offsite'],
  };
  return { look, calls };
}

function validator(look?: ReferenceLookups) {
  const deps: InstanceAdmissionDeps = {
    resolve: () => plugin,
    canUpgrade: () => ({ ok: true }),
    validateConfig: async () => ({ ok: true, config: { values: {}, files: {}, checksum: 'x' } }),
    quotaViolations: async () => [],
    ...(look ? { references: look } : {}),
  };
  return instanceValidator(deps);
}

const withSpec = (patch: Partial<MiddlewareInstance['spec']>): MiddlewareInstance => ({
  ...base,
  spec: { ...base.spec, ...patch },
});

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
  ...(oldObject ? { oldObject: oldObject as Record<string, unknown> } : {}),
});

async function denial(obj: MiddlewareInstance, look = lookups().look): Promise<string> {
  const v = await validator(look)(req(obj));
  if (v.allowed) throw new Error('admitted; expected a denial');
  return v.message;
}

describe('spec.backup at admission', () => {
  it('admits a valid schedule, retention and existing storage', async () => {
    const obj = withSpec({
      backup: { storage: 's3-main', schedule: '0 3 * * *', retention: { maxCount: 7, maxAge: '720h' } },
    });
    expect(await validator(lookups().look)(req(obj))).toEqual({ allowed: true });
  });

  it('an invalid cron expression names spec.backup.schedule, the value and the accepted forms', async () => {
    const message = await denial(withSpec({ backup: { storage: 's3-main', schedule: 'every tuesday' } }));
    expect(message).toContain('spec.backup.schedule: expected 5 fields, found 2; got "every tuesday"');
    expect(message).toContain(
      'accepted five cron fields "minute hour day-of-month month day-of-week" in UTC',
    );
  });

  it('a cron expression that can never fire, and a six-field one, are refused too', async () => {
    expect(await denial(withSpec({ backup: { storage: 's3-main', schedule: '0 0 30 2 *' } }))).toContain(
      'spec.backup.schedule:',
    );
    expect(await denial(withSpec({ backup: { storage: 's3-main', schedule: '0 0 3 * * *' } }))).toContain(
      'spec.backup.schedule: expected 5 fields, found 6; got "0 0 3 * * *"',
    );
    expect(await denial(withSpec({ backup: { storage: 's3-main', schedule: '@fortnightly' } }))).toContain(
      'spec.backup.schedule: unknown macro @fortnightly',
    );
  });

  it('a zero or negative retention.maxCount is refused by the schema, naming the field and value', async () => {
    for (const maxCount of [0, -3]) {
      const message = await denial(withSpec({ backup: { storage: 's3-main', retention: { maxCount } } }));
      expect(message).toContain('spec.backup.retention.maxCount');
      expect(message).toContain(`(got ${maxCount})`);
    }
  });

  it('a zero or malformed retention.maxAge is refused, naming the field and the accepted durations', async () => {
    expect(await denial(withSpec({ backup: { storage: 's3-main', retention: { maxAge: '0h' } } }))).toBe(
      'spec.backup.retention.maxAge: got "0h", accepted a duration greater than zero',
    );
    expect(await denial(withSpec({ backup: { storage: 's3-main', retention: { maxAge: 'a month' } } }))).toBe(
      'spec.backup.retention.maxAge: must match ^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h|d))+$ (got "a month")',
    );
  });

  it('an unknown storage names spec.backup.storage and the storages that exist', async () => {
    expect(await denial(withSpec({ backup: { storage: 'nowhere' } }))).toBe(
      'spec.backup.storage: no BackupStorage "nowhere"; existing: s3-main, s3-offsite',
    );
  });

  it('every backup problem is reported in one answer', async () => {
    const message = await denial(
      withSpec({ backup: { storage: 'nowhere', schedule: '* *', retention: { maxAge: '0s' } } }),
    );
    expect(message).toMatch(/^3 problems:/);
    expect(message).toContain('- spec.backup.schedule:');
    expect(message).toContain('- spec.backup.retention.maxAge:');
    expect(message).toContain('- spec.backup.storage: no BackupStorage "nowhere"');
  });

  it('an update that keeps the storage looks nothing up; a changed storage is checked', async () => {
    const old = withSpec({ backup: { storage: 's3-gone', schedule: '0 3 * * *' } });
    const { look, calls } = lookups();
    const same = withSpec({ backup: { storage: 's3-gone', schedule: '0 4 * * *' } });
    expect(await validator(look)(req(same, 'UPDATE', old))).toEqual({ allowed: true });
    expect(calls).toEqual([]);
    const moved = withSpec({ backup: { storage: 'elsewhere', schedule: '0 4 * * *' } });
    const v = await validator(look)(req(moved, 'UPDATE', old));
    expect(v).toMatchObject({ allowed: false, message: expect.stringContaining('spec.backup.storage') });
    expect(calls).toEqual(['storage elsewhere']);
  });

  it('backupPolicyProblems is pure and empty without spec.backup', () => {
    expect(backupPolicyProblems(base)).toEqual([]);
  });
});

describe('spec.restoreFrom at admission', () => {
  it('admits a Succeeded backup of the same type', async () => {
    expect(await validator(lookups().look)(req(withSpec({ restoreFrom: { backup: 'redis-ok' } })))).toEqual({
      allowed: true,
    });
  });

  it('a backup of another type is refused, naming spec.restoreFrom.backup, both types and what is accepted', async () => {
    expect(await denial(withSpec({ restoreFrom: { backup: 'mysql-ok' } }))).toBe(
      'spec.restoreFrom.backup: backup mysql-ok is of type mysql, but spec.type is redis; accepted: a backup of a redis instance',
    );
  });

  it('a missing backup and an unfinished one are refused', async () => {
    expect(await denial(withSpec({ restoreFrom: { backup: 'ghost' } }))).toContain(
      'spec.restoreFrom.backup: no MiddlewareBackup "ghost" in namespace team-a',
    );
    expect(await denial(withSpec({ restoreFrom: { backup: 'redis-running' } }))).toBe(
      'spec.restoreFrom.backup: backup redis-running is Running; accepted: a Succeeded backup',
    );
  });

  it('spec.restoreFrom.s3 with an unknown storage is refused', async () => {
    expect(
      await denial(withSpec({ restoreFrom: { s3: { storage: 'nowhere', path: 'p/ns/i/b/metadata.json' } } })),
    ).toBe('spec.restoreFrom.s3.storage: no BackupStorage "nowhere"; existing: s3-main, s3-offsite');
  });

  it('restoreFrom is not looked up again on update (it is read only at creation)', async () => {
    const obj = withSpec({ restoreFrom: { backup: 'ghost' } });
    const { look, calls } = lookups();
    const v = await validator(look)(req({ ...obj, spec: { ...obj.spec, replicas: 2 } }, 'UPDATE', obj));
    expect(v).toEqual({ allowed: true });
    expect(calls).toEqual([]);
  });

  it('without reference lookups (no server) only the pure checks run', async () => {
    const v = await validator()(
      req(withSpec({ restoreFrom: { backup: 'ghost' }, backup: { storage: 'x' } })),
    );
    expect(v).toEqual({ allowed: true });
  });
});

describe('MiddlewareBackup admission of a catalog-synced backup', () => {
  const synced = {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareBackup',
    metadata: {
      name: 'b1',
      namespace: 'team-a',
      annotations: { 'mwop.dev/synced-from': 's3://bucket/p/team-a/gone/b1/metadata.json' },
    },
    spec: { instanceRef: { name: 'gone' }, storage: 's3-main' },
  };
  const breq = (object: unknown) => ({
    ...req(object),
    kind: { group: 'mwop.dev', version: 'v1alpha1', kind: 'MiddlewareBackup' },
  });

  it('is admitted without its instance (a fresh cluster restoring from S3 alone), but not with an unknown storage', async () => {
    const { look } = lookups();
    expect(await backupValidator(look)(breq(synced))).toEqual({ allowed: true });
    const v = await backupValidator(look)(breq({ ...synced, spec: { ...synced.spec, storage: 'nowhere' } }));
    expect(v).toMatchObject({
      allowed: false,
      message: 'spec.storage: no BackupStorage "nowhere"; existing: s3-main, s3-offsite',
    });
  });

  it('a backup to take (no annotation) of a missing instance is still refused', async () => {
    const { annotations: _a, ...metadata } = synced.metadata;
    const v = await backupValidator(lookups().look)(breq({ ...synced, metadata }));
    expect(v).toMatchObject({
      allowed: false,
      message: 'spec.instanceRef.name: no MiddlewareInstance "gone" in namespace team-a',
    });
  });
});
