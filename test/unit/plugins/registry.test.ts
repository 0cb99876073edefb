// The type registry, fed by a fake event feed (what the informer would deliver): resolution and
// its errors, live additions and deletions, upgrade edges, and old-shape types (TC-004).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type MiddlewareType, MiddlewareTypeKind, validateAgainstSchema } from '../../../src/api/index.ts';
import { PluginResolveError, TypeRegistry, upgradePath } from '../../../src/plugins/index.ts';
import { deployedType } from '../config/support.ts';

const oldShape = parse(
  readFileSync(new URL('./fixtures/old-shape.yaml', import.meta.url), 'utf8'),
) as MiddlewareType;

function registry(...types: MiddlewareType[]): TypeRegistry {
  const r = new TypeRegistry();
  for (const t of types) r.apply('add', t);
  return r;
}

function chain(name: string, versions: Array<[string, string[]]>): MiddlewareType {
  const base = deployedType('redis').spec.versions[0]!;
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareType',
    metadata: { name },
    spec: {
      versions: versions.map(([pluginVersion, upgradeFrom]) => ({
        ...base,
        pluginVersion,
        ...(upgradeFrom.length ? { upgradeFrom } : {}),
      })),
    },
  };
}

describe('TypeRegistry.resolve', () => {
  const r = registry(deployedType('redis'), deployedType('mysql'));

  it('resolves a triple to the version and the middleware image', () => {
    const p = r.resolve('redis', 'v1', '7.2.7');
    expect(p.typeName).toBe('redis');
    expect(p.version.pluginVersion).toBe('v1');
    expect(p.middleware).toEqual({
      version: '7.2.7',
      image: 'docker.io/library/redis:7.2.7',
      agentImage: 'ghcr.io/mwop/agent:0.1.0',
    });
    expect(p.hookPort).toBe(8080);
    expect(p.type.metadata?.name).toBe('redis');
  });

  it('uses the version marked default when none is named', () => {
    expect(r.resolve('redis', 'v1').middleware.version).toBe('7.2.11');
    expect(r.resolve('mysql', 'v1').middleware.version).toBe('8.4.6');
  });

  it('names what exists when a triple does not resolve', () => {
    expect(() => r.resolve('mongodb', 'v1')).toThrow(
      'spec.type: unknown type mongodb; known types: mysql, redis',
    );
    expect(() => r.resolve('redis', 'v9')).toThrow(
      'spec.pluginVersion: redis has no plugin version v9; published: v1, v2',
    );
    expect(() => r.resolve('redis', 'v1', '6.0')).toThrow(
      'spec.middlewareVersion: middleware version 6.0 is not supported by redis v1; supported: 7.2.7, 7.2.11',
    );
    expect(() => new TypeRegistry().resolve('redis', 'v1')).toThrow(
      'spec.type: unknown type redis; known types: (none)',
    );
    try {
      r.resolve('redis', 'v1', '6.0');
    } catch (err) {
      expect(err).toBeInstanceOf(PluginResolveError);
      expect(err).toMatchObject({
        path: 'spec.middlewareVersion',
        value: '6.0',
        accepted: ['7.2.7', '7.2.11'],
      });
    }
  });
});

describe('TypeRegistry fed by events', () => {
  it('serves a type as soon as its add event arrives, and forgets it on delete', () => {
    const r = new TypeRegistry();
    const seen: string[] = [];
    r.onChange((type, name) => seen.push(`${type} ${name}`));
    expect(() => r.resolve('elasticsearch', 'v1')).toThrow('unknown type elasticsearch');
    r.apply('add', deployedType('elasticsearch'));
    expect(r.resolve('elasticsearch', 'v1').middleware.version).toBe('8.18.2');
    r.apply('delete', deployedType('elasticsearch'));
    expect(() => r.resolve('elasticsearch', 'v1')).toThrow('unknown type elasticsearch; known types: (none)');
    expect(seen).toEqual(['add elasticsearch', 'delete elasticsearch']);
  });

  it('sees a version added by an update', () => {
    const r = new TypeRegistry();
    const redis = deployedType('redis');
    r.apply('add', { ...redis, spec: { ...redis.spec, versions: [redis.spec.versions[0]!] } });
    expect(() => r.resolve('redis', 'v2')).toThrow(
      'spec.pluginVersion: redis has no plugin version v2; published: v1',
    );
    r.apply('update', redis);
    expect(r.resolve('redis', 'v2').middleware.version).toBe('7.4.6');
  });

  it('replaces everything on a relist', () => {
    const r = registry(deployedType('redis'));
    r.replaceAll([deployedType('kafka')]);
    expect(r.names()).toEqual(['kafka']);
  });

  it('summarizes types for kubectl mw types', () => {
    const r = registry(deployedType('redis'), oldShape);
    expect(r.summaries()).toEqual([
      {
        name: 'memcached',
        pluginVersions: [
          {
            pluginVersion: 'v1',
            upgradeFrom: [],
            deprecated: false,
            middlewareVersions: ['1.6.29', '1.6.31'],
            defaultMiddlewareVersion: '1.6.31',
          },
        ],
      },
      {
        name: 'redis',
        displayName: 'Redis',
        pluginVersions: [
          {
            pluginVersion: 'v1',
            upgradeFrom: [],
            deprecated: false,
            middlewareVersions: ['7.2.7', '7.2.11'],
            defaultMiddlewareVersion: '7.2.11',
          },
          {
            pluginVersion: 'v2',
            upgradeFrom: ['v1'],
            deprecated: false,
            middlewareVersions: ['7.4.2', '7.4.6'],
            defaultMiddlewareVersion: '7.4.6',
          },
        ],
      },
    ]);
  });
});

describe('old-shape MiddlewareType (TC-004)', () => {
  it('still passes the current schema', () => {
    expect(validateAgainstSchema(MiddlewareTypeKind, oldShape)).toEqual([]);
  });

  it('resolves with defaults for every missing optional field', () => {
    const p = registry(oldShape).resolve('memcached', 'v1');
    // No default flag: the last listed version that is not deprecated.
    expect(p.middleware.version).toBe('1.6.31');
    expect(p.hookPort).toBe(8080);
    expect(p.version.lifecycleHooks).toBeUndefined();
    expect(registry(oldShape).canUpgrade('memcached', 'v1', 'v1')).toEqual({ ok: true });
  });
});

describe('canUpgrade (FR-016)', () => {
  const r = registry(
    deployedType('redis'),
    chain('cache', [
      ['v1', []],
      ['v2', ['v1']],
      ['v3', ['v2']],
      ['v4', []],
    ]),
  );

  it('allows a declared direct edge', () => {
    expect(r.canUpgrade('redis', 'v1', 'v2')).toEqual({ ok: true });
    expect(r.canUpgrade('cache', 'v2', 'v3')).toEqual({ ok: true });
  });

  it('refuses a downgrade, which no version declares', () => {
    expect(r.canUpgrade('redis', 'v2', 'v1')).toEqual({
      ok: false,
      reason: 'redis v1 declares no upgradeFrom, and no chain of upgrades leads from v2 to v1',
    });
  });

  it('refuses a chain in one step and names the hops', () => {
    expect(r.canUpgrade('cache', 'v1', 'v3')).toEqual({
      ok: false,
      reason: 'cache v3 upgrades from v2 only; upgrade one hop at a time: v1 -> v2 -> v3',
    });
    expect(upgradePath(r.get('cache')!, 'v1', 'v3')).toEqual(['v1', 'v2', 'v3']);
    expect(r.canUpgrade('cache', 'v1', 'v4')).toEqual({
      ok: false,
      reason: 'cache v4 declares no upgradeFrom, and no chain of upgrades leads from v1 to v4',
    });
  });

  it('names unknown types and versions', () => {
    expect(r.canUpgrade('mongodb', 'v1', 'v2')).toEqual({
      ok: false,
      reason: 'unknown type mongodb; known types: cache, redis',
    });
    expect(r.canUpgrade('redis', 'v1', 'v7')).toEqual({
      ok: false,
      reason: 'redis has no plugin version v7; published: v1, v2',
    });
  });
});
