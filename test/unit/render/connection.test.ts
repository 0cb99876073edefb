import { describe, expect, it } from 'vitest';
import { connectionInfo } from '../../../src/render/index.ts';
import { instance, plugin } from './fixtures.ts';

describe('connectionInfo', () => {
  it('points at the client Service and the generated Secret', () => {
    expect(connectionInfo(instance(), plugin())).toEqual({
      host: 'cache.team-a.svc',
      port: 6379,
      secretName: 'cache-credentials',
      username: 'default',
      command: 'redis-cli -h cache.team-a.svc -p 6379 --user default --askpass',
    });
  });

  it('names an existing Secret', () => {
    expect(connectionInfo(instance({ credentials: { existingSecret: 'mine' } }), plugin()).secretName).toBe(
      'mine',
    );
  });

  it('renders the type cliTemplate with Handlebars', () => {
    const p = plugin({
      connection: {
        scheme: 'redis',
        cliTemplate:
          'redis-cli -h {{host}} -p {{port}}{{#if username}} --user {{username}}{{/if}} # secret {{secretName}}',
      },
    });
    expect(connectionInfo(instance(), p).command).toBe(
      'redis-cli -h cache.team-a.svc -p 6379 # secret cache-credentials',
    );
  });

  it('names the template field when the template is broken or uses an unknown value', () => {
    const broken = plugin({ connection: { cliTemplate: 'x {{#if host}}' } });
    expect(() => connectionInfo(instance(), broken)).toThrow(
      /^MiddlewareType redis v1 connection\.cliTemplate: got "x \{\{#if host\}\}"; a Handlebars template/,
    );
    const unknown = plugin({ connection: { cliTemplate: '{{passwd}}' } });
    expect(() => connectionInfo(instance(), unknown)).toThrow(
      /connection\.cliTemplate.*"passwd" not defined/,
    );
  });

  it.each([
    ['mysql', 'root', 'mysql -h cache.team-a.svc -P 6379 -u root -p'],
    ['mysql', undefined, 'mysql -h cache.team-a.svc -P 6379 -u root -p'],
    ['postgresql', 'app', 'psql -h cache.team-a.svc -p 6379 -U app -W'],
    ['mongodb', undefined, 'mongosh --host cache.team-a.svc --port 6379 -p'],
    ['kafka', undefined, 'kafka-topics.sh --bootstrap-server cache.team-a.svc:6379 --list'],
    ['amqp', 'guest', 'amqp://guest@cache.team-a.svc:6379'],
  ])('default command for scheme %s (username %s)', (scheme, username, command) => {
    const p = plugin({ connection: { scheme, ...(username ? { username } : {}) } });
    expect(connectionInfo(instance(), p).command).toBe(command);
  });

  it('falls back to the type name as the scheme', () => {
    const p = plugin({ connection: undefined });
    expect(connectionInfo(instance(), p).command).toBe('redis-cli -h cache.team-a.svc -p 6379 --askpass');
  });
});
