import { describe, expect, it } from 'vitest';
import type { MiddlewareBackup } from '../../../src/api/index.ts';
import {
  checkReplicas,
  checkSwitchover,
  operationFor,
  planUpgrade,
  upgradePath,
} from '../../../src/cli/change-plan.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { planRestoreInPlace, planRestoreInto } from '../../../src/cli/restore-plan.ts';
import { instance, redisType, typeVersion } from './type-fixtures.ts';

function err(fn: () => unknown): CliError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return e as CliError;
  }
  throw new Error('expected an error');
}

describe('scale', () => {
  it("checks the plugin's bounds", () => {
    expect(() => checkReplicas(redisType(), instance(), 6)).not.toThrow();
    const e = err(() => checkReplicas(redisType(), instance(), 7));
    expect(e.message).toBe('--replicas 7: redis plugin v1 allows 1 to 6 members');
    expect(e.hint).toBe('pass --replicas between 1 and 6');
  });
});

describe('upgrade', () => {
  const withV3 = () => redisType([typeVersion('v3', { upgradeFrom: ['v2'] })]);

  it('follows upgradeFrom and keeps the middleware version when the target supports it', () => {
    expect(planUpgrade(redisType(), instance(), { pluginVersion: 'v2' })).toEqual({
      pluginVersion: 'v2',
      middlewareVersion: '7.2.11',
    });
    expect(
      planUpgrade(redisType(), instance({ middlewareVersion: '7.2.7' }), { pluginVersion: 'v2' }),
    ).toEqual({
      pluginVersion: 'v2',
      middlewareVersion: '7.4.2',
    });
    expect(planUpgrade(redisType(), instance(), { version: '7.2.7' })).toEqual({
      pluginVersion: 'v1',
      middlewareVersion: '7.2.7',
    });
  });

  it('finds the step-by-step path when a jump is not allowed', () => {
    expect(upgradePath(withV3(), 'v1', 'v3')).toEqual(['v1', 'v2', 'v3']);
    expect(upgradePath(withV3(), 'v3', 'v1')).toBeUndefined();
    const e = err(() => planUpgrade(withV3(), instance(), { pluginVersion: 'v3' }));
    expect(e.message).toBe('redis plugin v3 cannot upgrade in place from v1 (its upgradeFrom is ["v2"])');
    expect(e.hint).toBe('upgrade step by step: --plugin-version v2, then --plugin-version v3');
    const back = err(() => planUpgrade(withV3(), instance({ pluginVersion: 'v2' }), { pluginVersion: 'v1' }));
    expect(back.hint).toBe(
      'no upgrade path leads from v2 to v1; back up, then restore into a new instance created with --plugin-version v1',
    );
  });

  it('rejects unknown versions, no-ops and missing flags', () => {
    expect(err(() => planUpgrade(redisType(), instance(), { pluginVersion: 'v9' })).hint).toBe(
      'use one of: v1, v2',
    );
    expect(
      err(() => planUpgrade(redisType(), instance(), { pluginVersion: 'v2', version: '6.2.0' })).message,
    ).toBe('--version 6.2.0: redis plugin v2 does not support version 6.2.0');
    expect(err(() => planUpgrade(redisType(), instance(), { version: '7.2.11' })).message).toBe(
      'cache already runs plugin v1 with redis 7.2.11',
    );
    expect(err(() => planUpgrade(redisType(), instance(), {})).message).toBe(
      'upgrade needs --plugin-version, --version, or both',
    );
  });
});

describe('operations', () => {
  it('builds a MiddlewareOperation named after the instance', () => {
    expect(operationFor(instance(), { type: 'Switchover', switchover: { target: 'cache-1' } })).toEqual({
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareOperation',
      metadata: {
        generateName: 'cache-switchover-',
        namespace: 'team-a',
        labels: { 'mwop.dev/instance': 'cache', 'mwop.dev/type': 'redis' },
      },
      spec: { instanceRef: { name: 'cache' }, type: 'Switchover', switchover: { target: 'cache-1' } },
    });
  });

  it('refuses a switchover without the hook or with one member', () => {
    expect(err(() => checkSwitchover(redisType(), instance({ replicas: 1 }))).hint).toBe(
      'scale it first: `kubectl mw scale cache --replicas 2`',
    );
    const noHook = redisType();
    noHook.spec.versions[0] = typeVersion('v1', { lifecycleHooks: {} });
    expect(err(() => checkSwitchover(noHook, instance({ replicas: 3 }))).message).toBe(
      'redis plugin v1 declares no switchover hook, so it cannot switch over',
    );
    expect(() => checkSwitchover(redisType(), instance({ replicas: 3 }))).not.toThrow();
  });
});

describe('restore', () => {
  const backup = (status: MiddlewareBackup['status']): MiddlewareBackup => ({
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareBackup',
    metadata: { name: 'cache-1', namespace: 'team-a' },
    spec: { instanceRef: { name: 'cache' } },
    status,
  });
  const done = {
    phase: 'Succeeded' as const,
    type: 'redis',
    pluginVersion: 'v1',
    middlewareVersion: '7.2.7',
  };

  it("into a new instance: the source's spec at the backup's versions, restoreFrom naming the backup", () => {
    const source = instance({ replicas: 3, credentials: { existingSecret: 'old' } });
    expect(planRestoreInto(backup(done), 'cache-restored', source, redisType()).spec).toEqual({
      type: 'redis',
      pluginVersion: 'v1',
      middlewareVersion: '7.2.7',
      replicas: 3,
      storage: { size: '2Gi' },
      config: { preset: 'small' },
      restoreFrom: { backup: 'cache-1' },
    });
  });

  it("into a new instance when the source is gone: the type's defaults", () => {
    expect(planRestoreInto(backup(done), 'x', undefined, redisType()).spec).toEqual({
      type: 'redis',
      pluginVersion: 'v1',
      middlewareVersion: '7.2.7',
      replicas: 1,
      storage: { size: '2Gi' },
      config: { preset: 'small' },
      restoreFrom: { backup: 'cache-1' },
    });
  });

  it('in place: a Restore operation; refuses unfinished backups and other types', () => {
    expect(planRestoreInPlace(backup(done), instance(), true).spec).toEqual({
      instanceRef: { name: 'cache' },
      type: 'Restore',
      restore: { backup: 'cache-1', skipSafetyBackup: true },
    });
    expect(err(() => planRestoreInPlace(backup({ phase: 'Running' }), instance(), false)).message).toBe(
      'backup cache-1 is Running; only a Succeeded backup can be restored',
    );
    const e = err(() => planRestoreInPlace(backup({ ...done, type: 'mysql' }), instance(), false));
    expect(e.message).toBe('backup cache-1 is a mysql backup; instance cache is redis');
    expect(e.hint).toBe('restore it into a new mysql instance with --into <name>');
  });
});
