import { describe, expect, it } from 'vitest';
import { MiddlewareInstanceKind, validateAgainstSchema } from '../../../src/api/index.ts';
import { allowedConfigKeys, cueFieldPaths, flatDottedKeys } from '../../../src/cli/config-keys.ts';
import {
  compareDotted,
  comparePluginVersions,
  pickMiddlewareVersion,
  pickPluginVersion,
  pickPreset,
  planCreate,
} from '../../../src/cli/create-plan.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { parseSetValues } from '../../../src/cli/set-values.ts';
import { REDIS_CUE, redisType, typeVersion } from './type-fixtures.ts';

const base = { name: 'cache', namespace: 'team-a' };

describe('defaults', () => {
  it('orders versions numerically', () => {
    expect(['v10', 'v2', 'v1', 'v1.10', 'v1.9'].sort(comparePluginVersions)).toEqual([
      'v1',
      'v1.9',
      'v1.10',
      'v2',
      'v10',
    ]);
    expect(['7.2.11', '7.2.7', '8.0.0', '7.4'].sort(compareDotted)).toEqual([
      '7.2.7',
      '7.2.11',
      '7.4',
      '8.0.0',
    ]);
  });

  it('picks the newest plugin version that is not deprecated', () => {
    expect(pickPluginVersion(redisType()).pluginVersion).toBe('v2');
    const withDeprecated = redisType([typeVersion('v3', { deprecated: true })]);
    expect(pickPluginVersion(withDeprecated).pluginVersion).toBe('v2');
    expect(pickPluginVersion(withDeprecated, 'v3').pluginVersion).toBe('v3');
  });

  it("picks the version's default middleware version, else the newest current one", () => {
    const v1 = redisType().spec.versions[0]!;
    expect(pickMiddlewareVersion('redis', v1).version).toBe('7.2.11');
    const noDefault = typeVersion('v9', {
      supportedVersions: [
        { version: '7.2.7', image: 'a' },
        { version: '7.4.2', image: 'b', deprecated: true },
        { version: '7.2.11', image: 'c' },
      ],
    });
    expect(pickMiddlewareVersion('redis', noDefault).version).toBe('7.2.11');
  });

  it('picks the small preset even when another is marked default, then the marked one', () => {
    const v1 = redisType().spec.versions[0]!;
    expect(pickPreset('redis', v1)?.name).toBe('small');
    const noSmall = typeVersion('v9', { presets: [{ name: 'tiny' }, { name: 'big', default: true }] });
    expect(pickPreset('redis', noSmall)?.name).toBe('big');
    expect(pickPreset('redis', typeVersion('v9', { presets: [] }))).toBeUndefined();
  });

  it('builds a valid instance from nothing but a type and a name, and says what it picked', () => {
    const plan = planCreate(redisType(), base);
    expect(plan.instance).toEqual({
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareInstance',
      metadata: { name: 'cache', namespace: 'team-a' },
      spec: {
        type: 'redis',
        pluginVersion: 'v2',
        middlewareVersion: '7.4.2',
        replicas: 1,
        storage: { size: '2Gi' },
        config: { preset: 'small' },
      },
    });
    expect(plan.defaults).toEqual([
      'plugin version v2 (newest)',
      "redis 7.4.2 (the plugin's default)",
      'preset small',
      '1 replica',
      'storage 2Gi',
    ]);
    expect(validateAgainstSchema(MiddlewareInstanceKind, plan.instance)).toEqual([]);
  });

  it('uses every flag given', () => {
    const plan = planCreate(redisType(), {
      ...base,
      pluginVersion: 'v1',
      version: '7.2.7',
      replicas: 3,
      preset: 'medium',
      storage: '20Gi',
      storageClass: 'fast',
      expose: 'nodeport',
      set: { maxmemory: '2gb', tls: { 'auth-clients': 'optional' } },
    });
    expect(plan.instance.spec).toEqual({
      type: 'redis',
      pluginVersion: 'v1',
      middlewareVersion: '7.2.7',
      replicas: 3,
      storage: { size: '20Gi', storageClassName: 'fast' },
      serviceType: 'NodePort',
      config: { preset: 'medium', overrides: { maxmemory: '2gb', tls: { 'auth-clients': 'optional' } } },
    });
    expect(plan.defaults).toEqual([]);
  });
});

describe('errors name what is accepted', () => {
  const cases: [string, Parameters<typeof planCreate>[1], string, string][] = [
    [
      'unknown plugin version',
      { ...base, pluginVersion: 'v7' },
      '--plugin-version v7: type redis has no plugin version v7',
      'use one of: v1, v2 (kubectl mw types lists them all)',
    ],
    [
      'unsupported middleware version',
      { ...base, version: '6.0.0' },
      '--version 6.0.0: redis plugin v2 does not support version 6.0.0',
      'use one of: 7.2.11, 7.4.2; other plugin versions may support more (kubectl mw types)',
    ],
    [
      'unknown preset',
      { ...base, preset: 'huge' },
      '--preset huge: redis plugin v2 has no preset huge',
      'use one of: medium, small, large',
    ],
    [
      'too many replicas',
      { ...base, replicas: 9 },
      '--replicas 9: redis plugin v2 allows 1 to 6 members',
      'pass --replicas between 1 and 6',
    ],
    [
      'zero replicas',
      { ...base, replicas: 0 },
      '--replicas 0: redis plugin v2 allows 1 to 6 members',
      'pass --replicas between 1 and 6',
    ],
    [
      'bad storage',
      { ...base, storage: '10 gigs' },
      '--storage 10 gigs: not a storage size',
      'write a Kubernetes quantity such as 1Gi, 500Mi or 20Gi',
    ],
    [
      'bad service type',
      { ...base, expose: 'ingress' },
      '--expose ingress: not a Service type',
      'use one of: ClusterIP, NodePort, LoadBalancer (leave --expose out for ClusterIP, reachable inside the cluster)',
    ],
    [
      'bad name',
      { ...base, name: 'My_Cache' },
      'name "My_Cache" is not a valid instance name',
      'use at most 53 lower-case letters, digits and "-", starting and ending with a letter or digit (for example cache or orders-db)',
    ],
    [
      'unknown --set key',
      { ...base, set: { maxmemroy: '1gb' } },
      '--set maxmemroy: not a config key of redis plugin v2',
      'use one of: appendonly, latency.monitor-threshold, maxmemory, maxmemory-policy, save, tls.auth-clients',
    ],
    [
      'unknown nested --set keys',
      { ...base, set: { tls: { port: 1 }, x: 1 } },
      '--set tls.port, x: not config keys of redis plugin v2',
      'use one of: appendonly, latency.monitor-threshold, maxmemory, maxmemory-policy, save, tls.auth-clients',
    ],
  ];
  for (const [title, opts, message, hint] of cases) {
    it(title, () => {
      let err: unknown;
      try {
        planCreate(redisType(), opts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).message).toBe(message);
      expect((err as CliError).hint).toBe(hint);
    });
  }
});

describe('config keys', () => {
  it('reads field paths from a CUE definition, nested structs included', () => {
    expect(cueFieldPaths(REDIS_CUE)).toEqual([
      'appendonly',
      'maxmemory',
      'maxmemory-policy',
      'save',
      'tls.auth-clients',
    ]);
  });

  it('reads top-level fields when the schema has no definitions', () => {
    expect(cueFieldPaths('port: int & >0 | *6379\n// comment: no\nname: string\n')).toEqual(['name', 'port']);
  });

  it('adds the keys the presets set', () => {
    expect(allowedConfigKeys(redisType().spec.versions[0]!)).toContain('latency.monitor-threshold');
  });
});

describe('keys with dots in their names (Kafka, Elasticsearch)', () => {
  const kafka = typeVersion('v1', {
    configTemplate:
      '#Config: {\n\t"log.retention.hours": int | *168\n\t"num.partitions": int | *1\n\theapSize: string\n}\n',
    presets: [{ name: 'small', config: { 'num.partitions': 1 } }],
  });

  it('are found as single keys and written as the user would type them', () => {
    expect(flatDottedKeys(allowedConfigKeys(kafka))).toEqual(['log.retention.hours', 'num.partitions']);
    expect(flatDottedKeys(allowedConfigKeys(redisType().spec.versions[0]!))).toEqual([]);
  });

  it('stay one key in --set instead of nesting', () => {
    expect(
      parseSetValues(['log.retention.hours=48', 'heapSize=1g'], flatDottedKeys(allowedConfigKeys(kafka))),
    ).toEqual({
      'log.retention.hours': 48,
      heapSize: '1g',
    });
  });

  it('are accepted by create, and listed without escapes when a key is wrong', () => {
    const type = redisType();
    type.spec.versions = [kafka];
    const ok = planCreate(type, { ...base, set: { 'log.retention.hours': 48 } });
    expect(ok.instance.spec.config?.overrides).toEqual({ 'log.retention.hours': 48 });
    let err: unknown;
    try {
      planCreate(type, { ...base, set: { log: { retention: { hour: 1 } } } });
    } catch (e) {
      err = e;
    }
    expect((err as CliError).message).toBe('--set log.retention.hour: not a config key of redis plugin v1');
    expect((err as CliError).hint).toBe('use one of: heapSize, log.retention.hours, num.partitions');
  });
});
