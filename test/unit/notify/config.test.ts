import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadNotificationsConfig,
  NOTIFICATION_EVENTS,
  NotificationsConfigError,
  parseNotificationsConfig,
  validateNotificationsConfig,
} from '../../../src/notify/config.ts';

const opts = { defaultSecretNamespace: 'mwop-system' };

function problems(doc: unknown) {
  const r = validateNotificationsConfig(doc, opts);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

describe('notifications config', () => {
  it('fills in defaults: every event, every namespace, 5 s timeout, 3 retries', () => {
    const c = parseNotificationsConfig(
      'receivers:\n  - name: ops\n    url: https://hooks.example.com/x\n',
      opts,
    );
    expect(c.receivers).toEqual([
      {
        name: 'ops',
        url: 'https://hooks.example.com/x',
        events: [...NOTIFICATION_EVENTS],
        timeoutMs: 5000,
        maxRetries: 3,
      },
    ]);
  });

  it('reads namespaces, event wildcards, timeouts, retries and both key sources', () => {
    const c = parseNotificationsConfig(
      `
receivers:
  - name: team-a
    url: http://receiver.team-a.svc:8080/events
    namespaces: [team-a, team-a-staging]
    events: ['backup.*', operation.failed]
    secretRef: { name: team-a-hooks, key: hmac }
    timeoutSeconds: 1.5
    maxRetries: 0
  - name: audit
    url: https://audit.example.com/in
    hmacSecretFile: /etc/mwop/hmac
`,
      opts,
    );
    expect(c.receivers[0]).toEqual({
      name: 'team-a',
      url: 'http://receiver.team-a.svc:8080/events',
      namespaces: ['team-a', 'team-a-staging'],
      events: ['operation.failed', 'backup.started', 'backup.succeeded', 'backup.failed'],
      signingKey: { kind: 'secret', namespace: 'mwop-system', name: 'team-a-hooks', key: 'hmac' },
      timeoutMs: 1500,
      maxRetries: 0,
    });
    expect(c.receivers[1]!.signingKey).toEqual({ kind: 'file', path: '/etc/mwop/hmac' });
  });

  it('treats an empty file as no receivers', () => {
    expect(parseNotificationsConfig('', opts)).toEqual({ receivers: [] });
    expect(parseNotificationsConfig('receivers: []', opts)).toEqual({ receivers: [] });
  });

  it('names the path, the value and what is accepted for every mistake at once', () => {
    const p = problems({
      receiver: [],
      receivers: [
        {
          name: 'Ops',
          url: 'ftp://example.com/x',
          events: ['operation.done'],
          timeoutSeconds: 0,
          maxRetries: 2.5,
          namespaces: ['Team_A'],
        },
        { name: 'dup', url: 'https://a.example.com' },
        { name: 'dup', url: 'https://b.example.com', retries: 3 },
      ],
    });
    expect(p).toEqual([
      { path: 'receiver', value: 'a list of 0', message: 'unknown field; accepted: receivers' },
      {
        path: 'receivers[0].name',
        value: '"Ops"',
        message: 'must be a DNS label: lowercase letters, digits and "-", at most 63 characters',
      },
      {
        path: 'receivers[0].url',
        value: 'a ftp: URL',
        message: 'must be an absolute http:// or https:// URL',
      },
      {
        path: 'receivers[0].namespaces[0]',
        value: '"Team_A"',
        message: 'must be a namespace name (a DNS label)',
      },
      {
        path: 'receivers[0].events[0]',
        value: '"operation.done"',
        message: expect.stringContaining('must be one of: operation.started, operation.succeeded'),
      },
      {
        path: 'receivers[0].timeoutSeconds',
        value: '0',
        message: 'must be a number of seconds > 0 and <= 60',
      },
      { path: 'receivers[0].maxRetries', value: '2.5', message: 'must be an integer from 0 to 10' },
      {
        path: 'receivers[2].retries',
        value: '3',
        message: expect.stringMatching(/^unknown field; accepted: name, url, namespaces, events, secretRef/),
      },
      {
        path: 'receivers[2].name',
        value: '"dup"',
        message: 'must be unique; another receiver already has this name',
      },
    ]);
  });

  it('rejects two key sources, incomplete secretRefs and relative key files', () => {
    const p = problems({
      receivers: [
        { name: 'a', url: 'https://x.example.com', secretRef: { name: 's', key: 'k' }, hmacSecretFile: '/k' },
        { name: 'b', url: 'https://x.example.com', secretRef: { name: 's', namespace: 'NS' } },
        { name: 'c', url: 'https://x.example.com', hmacSecretFile: 'keys/hmac' },
      ],
    });
    expect(p.map((x) => x.path)).toEqual([
      'receivers[0].secretRef',
      'receivers[1].secretRef.namespace',
      'receivers[1].secretRef.key',
      'receivers[2].hmacSecretFile',
    ]);
    expect(p[0]!.message).toBe('give at most one source for the HMAC key');
    expect(p[3]).toEqual({
      path: 'receivers[2].hmacSecretFile',
      value: '"keys/hmac"',
      message: 'must be an absolute path to a file holding the key',
    });
  });

  it('never echoes a URL back, since webhook URLs often embed a token', () => {
    const p = problems({ receivers: [{ name: 'a', url: 'https://user:tok3n@hooks.example.com/T0K3N' }] });
    expect(p).toEqual([
      {
        path: 'receivers[0].url',
        value: 'a URL with user info',
        message: 'must not carry credentials; use secretRef or hmacSecretFile',
      },
    ]);
    expect(JSON.stringify(p)).not.toContain('tok3n');
  });

  it('throws one error listing every problem, with the file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mwop-notify-'));
    const path = join(dir, 'n.yaml');
    await writeFile(path, 'receivers:\n  - name: a\n    url: https://x.example.com\n    maxRetries: -1\n');
    const err = await loadNotificationsConfig(path, opts).catch((e) => e);
    expect(err).toBeInstanceOf(NotificationsConfigError);
    expect(err.message).toBe(
      `${path}: invalid notifications config:\n  receivers[0].maxRetries: must be an integer from 0 to 10 (got -1)`,
    );
  });

  it('reports a missing file and unparsable YAML', async () => {
    const missing = await loadNotificationsConfig('/nonexistent/mwop.yaml', opts).catch((e) => e);
    expect(missing.problems).toEqual([
      {
        path: '(file)',
        value: '"/nonexistent/mwop.yaml"',
        message: 'must be a readable file (--notifications-config): ENOENT',
      },
    ]);
    expect(() => parseNotificationsConfig('receivers: [', opts)).toThrow(/\(root\): must be YAML/);
    expect(() => parseNotificationsConfig('- a\n- b\n', opts)).toThrow(
      /\(root\): must be a mapping with a `receivers` list \(got a list of 2\)/,
    );
  });
});
