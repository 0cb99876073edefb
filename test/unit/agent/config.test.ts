import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../src/agent/config.ts';

describe('loadAgentConfig', () => {
  it('defaults to port 8080 and the middleware on loopback at its usual port', () => {
    expect(loadAgentConfig({ MWOP_AGENT_TYPE: 'redis' })).toEqual({
      type: 'redis',
      driver: 'redis',
      listenHost: '0.0.0.0',
      listenPort: 8080,
      middlewareHost: '127.0.0.1',
      middlewarePort: 6379,
      middlewareSocket: undefined,
      credentialsDir: '/etc/mwop/credentials',
    });
    expect(
      loadAgentConfig({ MWOP_AGENT_TYPE: 'mysql', MWOP_MIDDLEWARE_SOCKET: '/run/mysqld/mysqld.sock' }),
    ).toMatchObject({
      middlewarePort: 3306,
      middlewareSocket: '/run/mysqld/mysqld.sock',
    });
  });
  it('lets a type with another name reuse a driver', () => {
    expect(loadAgentConfig({ MWOP_AGENT_TYPE: 'valkey', MWOP_AGENT_DRIVER: 'redis' })).toMatchObject({
      type: 'valkey',
      driver: 'redis',
      middlewarePort: 6379,
    });
  });

  it('names the variable, the value and what is accepted', () => {
    expect(() => loadAgentConfig({})).toThrow(
      'MWOP_AGENT_TYPE: missing; want the MiddlewareType name this agent serves',
    );
    expect(() => loadAgentConfig({ MWOP_AGENT_TYPE: 'kafka' })).toThrow(
      'MWOP_AGENT_TYPE (no MWOP_AGENT_DRIVER set): got "kafka", want a driver: redis, mysql',
    );
    expect(() => loadAgentConfig({ MWOP_AGENT_TYPE: 'x', MWOP_AGENT_DRIVER: 'pg' })).toThrow(
      'MWOP_AGENT_DRIVER: got "pg"',
    );
    expect(() => loadAgentConfig({ MWOP_AGENT_TYPE: 'redis', MWOP_AGENT_PORT: '80a' })).toThrow(
      'MWOP_AGENT_PORT: got "80a", want an integer from 1 to 65535',
    );
  });
});
