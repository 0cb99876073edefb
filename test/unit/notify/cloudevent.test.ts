import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, toCloudEvent } from '../../../src/notify/cloudevent.ts';

describe('toCloudEvent', () => {
  const ev = {
    kind: 'backup' as const,
    phase: 'failed' as const,
    namespace: 'team-a',
    name: 'cache-nightly-1',
    uid: 'u-1',
    instance: 'cache',
    message: 'x'.repeat(5000),
  };

  it('builds a CloudEvents 1.0 envelope with a stable id', () => {
    const now = new Date('2026-11-29T03:00:00Z');
    const a = toCloudEvent(ev, { source: '/mwop.dev/operator', now });
    const b = toCloudEvent(ev, { source: '/mwop.dev/operator', now: new Date() });
    expect(a).toMatchObject({
      specversion: '1.0',
      source: '/mwop.dev/operator',
      type: 'dev.mwop.backup.failed',
      subject: 'namespaces/team-a/middlewarebackups/cache-nightly-1',
      time: '2026-11-29T03:00:00.000Z',
      datacontenttype: 'application/json',
    });
    expect(a.id).toBe(b.id);
    expect(toCloudEvent({ ...ev, phase: 'succeeded' }, { source: 's' }).id).not.toBe(a.id);
    expect(toCloudEvent({ ...ev, uid: 'u-2' }, { source: 's' }).id).not.toBe(a.id);
    expect((a.data.message as string).length).toBe(2048);
  });

  it('signs with HMAC-SHA256 over the exact body', () => {
    const body = '{"a":1}';
    expect(signBody(body, 'k')).toBe(`sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`);
  });
});
