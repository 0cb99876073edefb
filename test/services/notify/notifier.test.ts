// The notifier against real HTTP receivers on loopback: CloudEvents on the wire, retries after a
// 500, no retry after a 400, a hung receiver that never blocks notify(), HMAC signatures, and
// drop-oldest when the queue is full. No test waits for a fixed time: each waits for the
// receiver to see a request, or for the notifier to drain.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createNotifier,
  type NotificationEvent,
  Notifier,
  type NotifierOptions,
  parseNotificationsConfig,
  type ReceiverConfig,
} from '../../../src/notify/index.ts';
import { type Receiver, reply, startReceiver } from './receiver.ts';

const receivers: Receiver[] = [];
const notifiers: Notifier[] = [];
afterEach(async () => {
  await Promise.all(notifiers.splice(0).map((n) => n.close()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(handler: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(handler);
  receivers.push(r);
  return r;
}

function receiverConfig(url: string, extra: Partial<ReceiverConfig> = {}): ReceiverConfig {
  return {
    name: 'ops',
    url,
    events: [
      'operation.started',
      'operation.succeeded',
      'operation.failed',
      'backup.started',
      'backup.succeeded',
      'backup.failed',
    ],
    timeoutMs: 5_000,
    maxRetries: 3,
    ...extra,
  };
}

function notifier(opts: Partial<NotifierOptions> & Pick<NotifierOptions, 'receivers'>) {
  const registry = opts.registry ?? new Registry();
  const n = new Notifier({ backoff: { baseMs: 1, maxMs: 5 }, random: () => 1, ...opts, registry });
  notifiers.push(n);
  return { n, registry };
}

async function count(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name) as Counter | undefined;
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((s, v) => s + v.value, 0);
}

const restoreSucceeded: NotificationEvent = {
  kind: 'operation',
  phase: 'succeeded',
  namespace: 'team-a',
  name: 'restore-1',
  uid: '5d1c6a7e-0000-4000-8000-000000000001',
  instance: 'cache',
  operation: 'Restore',
  workflow: 'cache-restore-1-3f2a',
  time: new Date('2026-11-29T02:00:00Z'),
};

describe('notifier delivery', () => {
  it('POSTs a CloudEvents 1.0 structured JSON event to the receiver', async () => {
    const r = await receiver(reply(204));
    const { n, registry } = notifier({ receivers: [receiverConfig(r.url)] });

    expect(n.notify(restoreSucceeded)).toEqual({ queued: 1, dropped: 0 });
    await n.drain();

    expect(r.requests).toHaveLength(1);
    const req = r.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hooks/mwop');
    expect(req.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(req.headers['x-mwop-signature']).toBeUndefined();
    const ce = JSON.parse(req.body);
    expect(ce).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      source: '/mwop.dev/operator',
      type: 'dev.mwop.operation.succeeded',
      subject: 'namespaces/team-a/middlewareoperations/restore-1',
      time: '2026-11-29T02:00:00.000Z',
      datacontenttype: 'application/json',
      data: {
        kind: 'MiddlewareOperation',
        namespace: 'team-a',
        name: 'restore-1',
        phase: 'succeeded',
        uid: restoreSucceeded.uid,
        instance: 'cache',
        operation: 'Restore',
        workflow: 'cache-restore-1-3f2a',
      },
    });
    expect(await count(registry, 'mwop_notifications_total', { result: 'delivered' })).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain('mwop_notifications_total{result="delivered"} 1');
    expect(text).toContain('mwop_notifications_queue_depth 0');
  });

  it('retries a 500 with backoff and then succeeds, sending the same event id', async () => {
    const r = await receiver((req, res, i) => reply(i === 0 ? 500 : 200)(req, res, i));
    const { n, registry } = notifier({ receivers: [receiverConfig(r.url, { maxRetries: 3 })] });

    n.notify(restoreSucceeded);
    await n.drain();

    expect(r.requests).toHaveLength(2);
    expect(JSON.parse(r.requests[1]!.body).id).toBe(JSON.parse(r.requests[0]!.body).id);
    expect(await count(registry, 'mwop_notification_attempts_total', { outcome: 'http_5xx' })).toBe(1);
    expect(await count(registry, 'mwop_notifications_total', { result: 'delivered' })).toBe(1);
    expect(await count(registry, 'mwop_notifications_total', { result: 'failed' })).toBe(0);
  });

  it('retries a 429 too, and gives up after maxRetries', async () => {
    const r = await receiver(reply(429, { 'retry-after': '0' }));
    const { n, registry } = notifier({ receivers: [receiverConfig(r.url, { maxRetries: 2 })] });

    n.notify(restoreSucceeded);
    await n.drain();

    expect(r.requests).toHaveLength(3); // the first attempt and two retries
    expect(await count(registry, 'mwop_notification_attempts_total', { outcome: 'http_429' })).toBe(3);
    expect(await count(registry, 'mwop_notifications_total', { result: 'failed' })).toBe(1);
  });

  it('does not retry a 400', async () => {
    const r = await receiver(reply(400));
    const { n, registry } = notifier({ receivers: [receiverConfig(r.url, { maxRetries: 5 })] });

    n.notify(restoreSucceeded);
    await n.drain();

    expect(r.requests).toHaveLength(1);
    expect(await count(registry, 'mwop_notification_attempts_total', { outcome: 'http_other' })).toBe(1);
    expect(await count(registry, 'mwop_notifications_total', { result: 'failed' })).toBe(1);
  });

  it('retries a network error (nothing listening) and gives up', async () => {
    const r = await receiver(reply(200));
    const url = r.url;
    await r.close();
    receivers.splice(receivers.indexOf(r), 1);
    const { n, registry } = notifier({ receivers: [receiverConfig(url, { maxRetries: 1 })] });

    n.notify(restoreSucceeded);
    await n.drain();

    expect(await count(registry, 'mwop_notification_attempts_total', { outcome: 'network' })).toBe(2);
    expect(await count(registry, 'mwop_notifications_total', { result: 'failed' })).toBe(1);
  });
});

describe('a hung receiver', () => {
  it('never blocks notify(): events queue up while it hangs, and the delivery is abandoned after its timeout', async () => {
    // Answers nothing, ever: the socket stays open until the client gives up.
    const r = await receiver(() => {});
    const { n, registry } = notifier({
      receivers: [receiverConfig(r.url, { timeoutMs: 300, maxRetries: 0 })],
      concurrency: 1,
    });

    const first = n.notify(restoreSucceeded);
    // notify() hands back a plain value, not a promise: there is nothing for a reconcile to await.
    expect(first).not.toBeInstanceOf(Promise);
    expect(first).toEqual({ queued: 1, dropped: 0 });
    const [hanging] = await r.received(1);
    expect(n.active()).toBe(1);

    // While the only worker is stuck on the hung receiver, further events still return at once
    // and wait in the queue.
    expect(n.notify({ ...restoreSucceeded, phase: 'failed', message: 'restore failed' })).toEqual({
      queued: 1,
      dropped: 0,
    });
    expect(n.notify({ ...restoreSucceeded, kind: 'backup', phase: 'started', name: 'b-1' })).toEqual({
      queued: 1,
      dropped: 0,
    });
    expect(n.depth()).toBe(2);
    expect(await count(registry, 'mwop_notifications_total', {})).toBe(0);

    // The notifier gives up on the request (the receiver sees the connection close) and moves on.
    await hanging!.closed;
    await n.drain();
    expect(r.requests).toHaveLength(3);
    expect(await count(registry, 'mwop_notification_attempts_total', { outcome: 'timeout' })).toBe(3);
    expect(await count(registry, 'mwop_notifications_total', { result: 'failed' })).toBe(3);
  });

  it('drops the oldest delivery when the queue is full, and counts it', async () => {
    const r = await receiver(() => {});
    const { n, registry } = notifier({
      receivers: [receiverConfig(r.url, { timeoutMs: 60_000, maxRetries: 0 })],
      concurrency: 1,
      queueCapacity: 2,
    });
    n.notify({ ...restoreSucceeded, name: 'op-1' });
    await r.received(1);
    n.notify({ ...restoreSucceeded, name: 'op-2' });
    n.notify({ ...restoreSucceeded, name: 'op-3' });
    expect(n.depth()).toBe(2);
    expect(n.notify({ ...restoreSucceeded, name: 'op-4' })).toEqual({ queued: 1, dropped: 1 });
    expect(n.depth()).toBe(2);
    expect(await count(registry, 'mwop_notifications_total', { result: 'dropped' })).toBe(1);
    expect(await registry.metrics()).toContain('mwop_notifications_queue_depth 2');

    // Shutting down abandons what is queued (counted as dropped) and aborts the hung request.
    await n.close();
    expect(await count(registry, 'mwop_notifications_total', { result: 'dropped' })).toBe(3);
    expect(await count(registry, 'mwop_notifications_total', { result: 'failed' })).toBe(1);
    expect(n.notify(restoreSucceeded)).toEqual({ queued: 0, dropped: 0 });
    await r.requests[0]!.closed;
  });
});

describe('HMAC signatures', () => {
  function verify(body: string, header: string | string[] | undefined, key: string): boolean {
    const expected = Buffer.from(`sha256=${createHmac('sha256', key).update(body).digest('hex')}`);
    const got = Buffer.from(String(header ?? ''));
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  it('signs the raw body with the key from hmacSecretFile (trailing newline not part of the key)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mwop-notify-'));
    const keyFile = join(dir, 'hmac');
    await writeFile(keyFile, 's3cr3t-key\n');
    const r = await receiver(reply(200));
    const { n } = notifier({
      receivers: [receiverConfig(r.url, { signingKey: { kind: 'file', path: keyFile } })],
    });

    n.notify(restoreSucceeded);
    await n.drain();

    const req = r.requests[0]!;
    expect(req.headers['x-mwop-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verify(req.body, req.headers['x-mwop-signature'], 's3cr3t-key')).toBe(true);
    expect(verify(req.body, req.headers['x-mwop-signature'], 'another-key')).toBe(false);
    expect(req.body).not.toContain('s3cr3t-key');
  });

  it('reads the key of a secretRef through the Secret reader, and never sends it', async () => {
    const r = await receiver(reply(200));
    const asked: string[] = [];
    const { n } = notifier({
      receivers: [
        receiverConfig(r.url, {
          signingKey: { kind: 'secret', namespace: 'mwop-system', name: 'hooks', key: 'hmac' },
        }),
      ],
      readSecret: async (ns, name, key) => {
        asked.push(`${ns}/${name}/${key}`);
        return 'from-a-secret';
      },
    });

    n.notify(restoreSucceeded);
    await n.drain();

    expect(asked).toEqual(['mwop-system/hooks/hmac']);
    const req = r.requests[0]!;
    expect(verify(req.body, req.headers['x-mwop-signature'], 'from-a-secret')).toBe(true);
    expect(req.body).not.toContain('from-a-secret');
  });
});

describe('routing and content', () => {
  it('sends each receiver only its namespaces and events', async () => {
    const r = await receiver(reply(200));
    const { n } = notifier({
      receivers: [
        receiverConfig(r.url, { namespaces: ['team-a'], events: ['backup.succeeded', 'backup.failed'] }),
      ],
    });

    expect(n.notify({ ...restoreSucceeded })).toEqual({ queued: 0, dropped: 0 });
    expect(n.notify({ kind: 'backup', phase: 'succeeded', namespace: 'team-b', name: 'b-1' }).queued).toBe(0);
    expect(n.notify({ kind: 'backup', phase: 'started', namespace: 'team-a', name: 'b-1' }).queued).toBe(0);
    expect(
      n.notify({
        kind: 'backup',
        phase: 'succeeded',
        namespace: 'team-a',
        name: 'b-1',
        backup: { storage: 'minio', location: 's3://bk/team-a/cache/b-1', sizeBytes: 1024, sha256: 'ab12' },
      }).queued,
    ).toBe(1);
    await n.drain();

    expect(r.requests).toHaveLength(1);
    const ce = JSON.parse(r.requests[0]!.body);
    expect(ce.type).toBe('dev.mwop.backup.succeeded');
    expect(ce.subject).toBe('namespaces/team-a/middlewarebackups/b-1');
    expect(ce.data.backup).toEqual({
      storage: 'minio',
      location: 's3://bk/team-a/cache/b-1',
      sizeBytes: 1024,
      sha256: 'ab12',
    });
  });

  it('never carries fields it was not built from, such as Secret data handed in by mistake', async () => {
    const r = await receiver(reply(200));
    const { n } = notifier({ receivers: [receiverConfig(r.url)] });
    const careless = {
      ...restoreSucceeded,
      data: { password: 'aHVudGVyMg==' },
      stringData: { password: 'hunter2' },
      credentials: { password: 'hunter2' },
      backup: { storage: 'minio', secretAccessKey: 'hunter2' },
    } as unknown as NotificationEvent;

    n.notify(careless);
    await n.drain();

    const body = r.requests[0]!.body;
    expect(body).not.toContain('hunter2');
    expect(body).not.toContain('aHVudGVyMg');
    expect(body).not.toContain('password');
    expect(JSON.parse(body).data.backup).toEqual({ storage: 'minio' });
  });

  it('fans one event out to several receivers from a config file', async () => {
    const a = await receiver(reply(200));
    const b = await receiver(reply(200));
    const dir = await mkdtemp(join(tmpdir(), 'mwop-notify-'));
    const path = join(dir, 'notifications.yaml');
    await writeFile(
      path,
      `receivers:\n  - name: a\n    url: ${a.url}\n  - name: b\n    url: ${b.url}\n    events: [operation.*]\n    timeoutSeconds: 2\n`,
    );
    const registry = new Registry();
    const n = await createNotifier({
      configPath: path,
      operatorNamespace: 'mwop-system',
      registry,
      tuning: { backoff: { baseMs: 1, maxMs: 5 } },
    });
    notifiers.push(n);

    expect(n.notify(restoreSucceeded).queued).toBe(2);
    await n.drain();
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
    expect(await count(registry, 'mwop_notifications_total', { result: 'delivered' })).toBe(2);
    // Sanity: the same file parses to the same receivers without the loader.
    const parsed = parseNotificationsConfig(`receivers:\n  - name: a\n    url: ${a.url}\n`, {
      defaultSecretNamespace: 'mwop-system',
    });
    expect(parsed.receivers[0]).toMatchObject({ name: 'a', timeoutMs: 5000, maxRetries: 3 });
  });

  it('without a config file, notify() is a no-op', async () => {
    const n = await createNotifier({ operatorNamespace: 'mwop-system' });
    notifiers.push(n);
    expect(n.notify(restoreSucceeded)).toEqual({ queued: 0, dropped: 0 });
    await n.drain();
  });
});
