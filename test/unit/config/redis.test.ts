// The redis plugin as deployed (deploy/plugins/redis.yaml): defaults, presets, overrides, and the
// exact message for each kind of bad input.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/index.ts';
import { accepted, errorsOf, instanceOf, loadPlugin, registryOf } from './support.ts';

const KEYS =
  'appendfsync, appendonly, client-output-buffer-limit-replica, databases, hz, io-threads, lazyfree-lazy-eviction, loglevel, maxclients, maxmemory, maxmemory-policy, maxmemory-samples, notify-keyspace-events, repl-diskless-sync-delay, save, slowlog-log-slower-than, slowlog-max-len, tcp-keepalive, timeout';

describe('redis plugin config', () => {
  const plugin = loadPlugin('redis');

  it('renders the defaults: the default preset (small) over the CUE defaults', async () => {
    const c = await accepted(plugin);
    expect(c.values).toMatchObject({
      maxmemory: '384mb',
      'maxmemory-policy': 'allkeys-lru',
      appendonly: true,
      appendfsync: 'everysec',
      maxclients: 10000,
      'repl-diskless-sync-delay': 0,
    });
    const conf = c.files['redis.conf']!;
    expect(Object.keys(c.files)).toEqual(['redis.conf']);
    expect(conf).toContain('\nmaxmemory 384mb\n');
    expect(conf).toContain('\nmaxmemory-policy allkeys-lru\n');
    expect(conf).toContain('\nappendonly yes\n');
    expect(conf).toContain('\nsave "3600 1 300 100 60 10000"\n');
    expect(conf).toContain('\nclient-output-buffer-limit replica 256mb 64mb 60\n');
    expect(conf).toContain('(redis v1, Redis 7.2.11)');
    expect(conf).not.toMatch(/\{\{|undefined|\[object/);
    expect(c.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['small', '384mb', 10000],
    ['medium', '1536mb', 20000],
    ['large', '6gb', 50000],
  ])('renders preset %s', async (preset, maxmemory, maxclients) => {
    const c = await accepted(plugin, { preset });
    expect(c.values.maxmemory).toBe(maxmemory);
    expect(c.values.maxclients).toBe(maxclients);
    expect(c.files['redis.conf']).toContain(`\nmaxmemory ${maxmemory}\n`);
    expect(c.files['redis.conf']).toContain(`\nmaxclients ${maxclients}\n`);
  });

  it('merges overrides key by key over the preset', async () => {
    const c = await accepted(plugin, {
      preset: 'large',
      overrides: { maxclients: 1000, appendonly: false, save: '' },
    });
    // From the overrides:
    expect(c.values).toMatchObject({ maxclients: 1000, appendonly: false, save: '' });
    // Kept from the preset:
    expect(c.values).toMatchObject({ maxmemory: '6gb', 'maxmemory-policy': 'allkeys-lfu', 'io-threads': 4 });
    // CUE defaults for the rest:
    expect(c.values.hz).toBe(10);
    expect(c.files['redis.conf']).toContain('\nappendonly no\n');
    expect(c.files['redis.conf']).toContain('\nsave ""\n');
    expect(c.files['redis.conf']).toContain('\nio-threads 4\n');
  });

  it('changes the checksum when, and only when, a file changes', async () => {
    const a = await accepted(plugin, { overrides: { hz: 20 } });
    const b = await accepted(plugin, { overrides: { hz: 20 } });
    const c = await accepted(plugin, { overrides: { hz: 21 } });
    expect(a.checksum).toBe(b.checksum);
    expect(c.checksum).not.toBe(a.checksum);
  });

  it.each([
    [
      'wrong type',
      { maxclients: 'lots' },
      'spec.config.overrides.maxclients: expected an integer from 1 to 65000, not a string (got "lots")',
    ],
    [
      'below the minimum',
      { maxclients: 0 },
      'spec.config.overrides.maxclients: out of range: expected an integer from 1 to 65000 (got 0)',
    ],
    [
      'above the maximum',
      { maxclients: 65001 },
      'spec.config.overrides.maxclients: out of range: expected an integer from 1 to 65000 (got 65001)',
    ],
    [
      'not in the enum',
      { 'maxmemory-policy': 'lru' },
      'spec.config.overrides.maxmemory-policy: expected one of "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl" (got "lru")',
    ],
    [
      'unknown key, with a suggestion',
      { maxmemry: '1gb' },
      `spec.config.overrides.maxmemry: unknown key for redis v1; did you mean "maxmemory"? accepted keys: ${KEYS} (got "1gb")`,
    ],
    [
      'unknown key',
      { bogus: true },
      `spec.config.overrides.bogus: unknown key for redis v1; accepted keys: ${KEYS} (got true)`,
    ],
    [
      'pattern',
      { maxmemory: '1 GB' },
      'spec.config.overrides.maxmemory: expected a string matching ^[0-9]+(b|k|kb|m|mb|g|gb)?$ (Memory limit for the dataset, as in redis.conf: 0 (no limit), or bytes with a unit, e.g. 512mb.) (got "1 GB")',
    ],
    [
      'boolean as string',
      { appendonly: 'yes' },
      'spec.config.overrides.appendonly: expected true or false, not a string (got "yes")',
    ],
    [
      'save rules',
      { save: '900' },
      'spec.config.overrides.save: expected a string matching ^([0-9]+ [0-9]+( [0-9]+ [0-9]+)*)?$ (RDB snapshot rules: pairs of "<seconds> <changes>", or "" to disable snapshots.) (got "900")',
    ],
    [
      'fraction for an integer',
      { hz: 1.5 },
      'spec.config.overrides.hz: expected an integer from 1 to 500, not a number (got 1.5)',
    ],
    [
      'null',
      { databases: null },
      'spec.config.overrides.databases: expected an integer from 1 to 1024, not null (got null)',
    ],
    [
      'negative below -1',
      { 'slowlog-log-slower-than': -2 },
      'spec.config.overrides.slowlog-log-slower-than: out of range: expected an integer from -1 to 60000000 (got -2)',
    ],
  ])('rejects %s', async (_what, overrides, message) => {
    expect(await errorsOf(plugin, { overrides })).toEqual([message]);
  });

  it('reports every bad key at once', async () => {
    expect(await errorsOf(plugin, { overrides: { hz: 0, loglevel: 'loud' } })).toEqual([
      'spec.config.overrides.hz: out of range: expected an integer from 1 to 500 (got 0)',
      'spec.config.overrides.loglevel: expected one of "notice", "debug", "verbose", "warning" (got "loud")',
    ]);
  });

  it('rejects an unknown preset', async () => {
    expect(await errorsOf(plugin, { preset: 'huge' })).toEqual([
      'spec.config.preset: unknown preset for redis v1; accepted: small, medium, large (got "huge")',
    ]);
  });

  it('rejects a middleware version the plugin version does not support (FR-017)', () => {
    expect(() => registryOf('redis').resolve('redis', 'v1', '6.0')).toThrow(
      'spec.middlewareVersion: middleware version 6.0 is not supported by redis v1; supported: 7.2.7, 7.2.11',
    );
    expect(() => registryOf('redis').resolve('redis', 'v1', '7.4.6')).toThrow(
      'spec.middlewareVersion: middleware version 7.4.6 is not supported by redis v1; supported: 7.2.7, 7.2.11',
    );
  });

  it('runs both supported versions of v1, and v2 with Redis 7.4', async () => {
    for (const mv of ['7.2.7', '7.2.11']) {
      const p = loadPlugin('redis', 'v1', mv);
      expect(p.middleware.image).toBe(`docker.io/library/redis:${mv}`);
      const r = await validateConfig(p, instanceOf('redis'));
      expect(r.ok && r.config.files['redis.conf']).toContain(`Redis ${mv})`);
    }
    const v2 = loadPlugin('redis', 'v2');
    expect(v2.middleware.version).toBe('7.4.6');
    expect(v2.version.upgradeFrom).toEqual(['v1']);
    expect(registryOf('redis').canUpgrade('redis', 'v1', 'v2')).toEqual({ ok: true });
    const r = await validateConfig(v2, instanceOf('redis', { preset: 'medium' }, { pluginVersion: 'v2' }));
    expect(r.ok && r.config.values.maxmemory).toBe('1536mb');
  });
});
