import { describe, expect, it } from 'vitest';
import { parseOperatorConfig } from '../../../src/operator/config.ts';

describe('parseOperatorConfig', () => {
  it('uses controller-friendly defaults', () => {
    const r = parseOperatorConfig([], {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      namespaces: [],
      logLevel: 'info',
      metricsPort: 8080,
      healthPort: 8081,
      webhookPort: 9443,
      leaderElection: true,
      leaseNamespace: 'mwop-system',
      shutdownGraceMs: 25_000,
    });
  });

  it('flags win over the environment', () => {
    const r = parseOperatorConfig(
      ['--namespaces', 'a, b', '--log-level', 'debug', '--label-selector', 'shard=1'],
      {
        MWOP_NAMESPACES: 'x',
        MWOP_LOG_LEVEL: 'warn',
        POD_NAME: 'mwop-0',
      },
    );
    expect(r.ok && r.config).toMatchObject({
      namespaces: ['a', 'b'],
      logLevel: 'debug',
      labelSelector: 'shard=1',
      identity: 'mwop-0',
    });
  });

  it('reports every bad value with the flag, the value and what is accepted', () => {
    const r = parseOperatorConfig(
      ['--log-level', 'loud', '--metrics-port', '99999', '--leader-elect', 'maybe'],
      {},
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { flag: '--log-level', value: 'loud', message: 'must be one of: debug, info, warn, error' },
      { flag: '--leader-elect', value: 'maybe', message: 'must be true or false' },
      { flag: '--metrics-port', value: '99999', message: 'must be a port number between 0 and 65535' },
    ]);
  });
});
