import { describe, expect, it } from 'vitest';
import { parseHookRequest } from '../../../src/agent/request.ts';

const ok = { instance: 'cache', namespace: 'ns', type: 'redis' };
const parse = (body: unknown) => parseHookRequest(JSON.stringify(body), 'redis', false);
const message = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('parseHookRequest', () => {
  it('accepts a full request', () => {
    const full = {
      ...ok,
      pluginVersion: 'v1',
      middlewareVersion: '7.0.15',
      targetMiddlewareVersion: '7.2.4',
      allowedUpgradePath: ['7.2.4'],
      replicas: 3,
      member: { name: 'cache-1', host: 'cache-1.cache', port: 6379 },
      primary: { host: 'cache-0.cache', port: 6379 },
      members: [{ host: 'a', port: 1 }],
      config: { hz: 10, appendonly: true, 'maxmemory-policy': 'allkeys-lru' },
      restartKeys: ['databases'],
      limits: { maxReplicationLagSeconds: 5 },
    };
    expect(parse(full)).toEqual(full);
  });

  it('allows an empty body only where asked', () => {
    expect(parseHookRequest('', 'redis', true)).toBeUndefined();
    expect(message(() => parseHookRequest('', 'redis', false))).toContain('body: empty');
  });

  it('names the field, the value and what is accepted', () => {
    expect(message(() => parseHookRequest('[1]', 'redis', false))).toBe('body: got [1], want a JSON object');
    expect(message(() => parse({ ...ok, instance: '' }))).toBe('instance: got "", want a non-empty string');
    expect(message(() => parse({ ...ok, type: 'mysql' }))).toBe(
      'type: got "mysql", this agent serves "redis"',
    );
    expect(message(() => parse({ ...ok, replicas: -1 }))).toBe('replicas: got -1, want an integer >= 0');
    expect(message(() => parse({ ...ok, target: { host: 'h', port: 70000 } }))).toBe(
      'target.port: got 70000, want an integer from 1 to 65535',
    );
    expect(message(() => parse({ ...ok, members: [{ host: 'a', port: 1 }, { port: 2 }] }))).toBe(
      'members[1].host: got nothing, want a non-empty string',
    );
    expect(message(() => parse({ ...ok, config: { hz: [1] } }))).toBe(
      'config.hz: got [1], want a string, number or boolean',
    );
    expect(message(() => parse({ ...ok, limits: { maxLag: 1 } }))).toContain(
      'limits.maxLag: unknown field; accepted:',
    );
    expect(message(() => parse({ ...ok, replica: 1 }))).toContain(
      'replica: unknown field; accepted: instance, namespace',
    );
  });
});
