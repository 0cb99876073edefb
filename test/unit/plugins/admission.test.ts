// The MiddlewareType admission validator: usable new types pass; edits and removals of published
// versions and unusable types are refused with every reason.
import { describe, expect, it } from 'vitest';
import type { MiddlewareType } from '../../../src/api/index.ts';
import { middlewareTypeValidator } from '../../../src/plugins/admission.ts';
import type { AdmissionRequest } from '../../../src/webhook/admission.ts';
import { deployedType } from '../config/support.ts';

const validate = middlewareTypeValidator();
// Each admission runs CUE over every preset of every version: seconds on a busy 2-core machine.
const CUE_HEAVY = 60_000;
const request = (
  operation: AdmissionRequest['operation'],
  object: MiddlewareType,
  oldObject?: MiddlewareType,
) =>
  validate({
    uid: 'u1',
    kind: { group: 'mwop.dev', version: 'v1alpha1', kind: 'MiddlewareType' },
    operation,
    object: object as unknown as Record<string, unknown>,
    ...(oldObject ? { oldObject: oldObject as unknown as Record<string, unknown> } : {}),
  });

describe('MiddlewareType admission', () => {
  it(
    'admits the shipped types and a new version',
    async () => {
      for (const t of ['redis', 'mysql', 'kafka', 'elasticsearch'])
        expect(await request('CREATE', deployedType(t))).toEqual({ allowed: true });
      const redis = deployedType('redis');
      const next = structuredClone(redis);
      next.spec.versions.push({
        ...structuredClone(redis.spec.versions[1]!),
        pluginVersion: 'v3',
        upgradeFrom: ['v2'],
      });
      expect(await request('UPDATE', next, redis)).toEqual({ allowed: true });
    },
    CUE_HEAVY,
  );

  it(
    'refuses an edited and a removed version, naming the fields',
    async () => {
      const redis = deployedType('redis');
      const edited = structuredClone(redis);
      edited.spec.versions[1]!.workload.dataMountPath = '/var/lib/redis';
      edited.spec.versions.splice(0, 1);
      expect(await request('UPDATE', edited, redis)).toEqual({
        allowed: false,
        code: 422,
        message: [
          '3 problems:',
          '- spec.versions[pluginVersion=v2]: published plugin versions are immutable (FR-015); changed: workload.dataMountPath; accepted: the version exactly as published, with changes in a new plugin version',
          '- spec.versions[pluginVersion=v1]: a published plugin version cannot be removed (FR-015); accepted: keep it, marked deprecated: true',
          '- spec.versions[pluginVersion=v2].upgradeFrom: v1 is not a plugin version of redis; accepted: v2',
        ].join('\n'),
      });
    },
    CUE_HEAVY,
  );

  it(
    'refuses a type whose preset breaks its own schema',
    async () => {
      const broken = structuredClone(deployedType('mysql'));
      broken.spec.versions[0]!.presets![0]!.config = { innodb_buffer_pool_size: '1 GB' };
      const v = await request('CREATE', broken);
      expect(v).toMatchObject({ allowed: false, code: 422 });
      expect(v.allowed === false && v.message).toMatch(
        /^spec\.versions\[pluginVersion=v1\] preset small: spec\.config\.preset: preset small of mysql v1 sets innodb_buffer_pool_size, which is invalid: expected a string matching/,
      );
    },
    CUE_HEAVY,
  );

  it('refuses what the schema refuses, and lets deletes and status-only updates through', async () => {
    const bad = structuredClone(deployedType('kafka'));
    bad.spec.versions[0]!.scalingRules.maxReplicas = 0;
    expect(await request('CREATE', bad)).toMatchObject({ allowed: false });
    expect(await request('DELETE', deployedType('kafka'))).toEqual({ allowed: true });
    const withStatus = { ...deployedType('kafka'), status: { phase: 'Ready' as const } };
    expect(await request('UPDATE', withStatus, deployedType('kafka'))).toEqual({ allowed: true });
  });
});
