import { describe, expect, it } from 'vitest';
import { checksFor } from '../../../src/agent/conformance/checks.ts';
import { formatResults } from '../../../src/agent/conformance/runner.ts';
import { checkShape } from '../../../src/agent/conformance/shape.ts';
import { declaredHooks } from '../../../src/agent/conformance/type-file.ts';

const json = 'application/json';
describe('checkShape', () => {
  it('accepts a contract answer', () => {
    expect(
      checkShape('init', {
        status: 200,
        contentType: json,
        text: '{"ok":true,"message":"done","retryable":false}',
      }).problems,
    ).toEqual([]);
    expect(
      checkShape('init', {
        status: 503,
        contentType: json,
        text: '{"ok":false,"message":"down","retryable":true,"reason":"MiddlewareUnreachable"}',
      }).problems,
    ).toEqual([]);
  });

  it('names every deviation', () => {
    expect(
      checkShape('health', {
        status: 409,
        contentType: 'text/html',
        text: '{"ok":true,"retryable":true,"reason":"bad reason"}',
      }).problems,
    ).toEqual([
      'status: got 409, the contract allows 200, 400, 404, 405, 500, 503, 504',
      'content-type: got "text/html", want application/json',
      'body.ok: got true with status 409, want ok true exactly on 200',
      'body.message: got undefined, want a non-empty string',
      'body.retryable: got true with status 409, want true exactly on 503 and 504',
      'body.reason: got "bad reason", want a CamelCase word',
    ]);
    expect(checkShape('init', { status: 200, contentType: json, text: 'OK' }).problems).toEqual([
      'body: not JSON ("OK"), want a HookResponse object',
    ]);
  });
});

describe('checksFor', () => {
  it('only checks declared hooks, plus the unknown path', () => {
    const ids = checksFor(['health']).map((c) => c.id);
    expect(ids).toEqual(['unknown-path', 'health', 'health-get', 'health-bad-body', 'health-wrong-type']);
  });
  it('asks the primary to refuse scale-in and a replica to allow it', () => {
    const check = checksFor(['preScaleIn']).find((c) => c.id === 'preScaleIn-by-role')!;
    const refused = { status: 409, body: { ok: false, message: 'is primary', retryable: false } };
    expect(check.verify([refused], { type: 'redis', role: 'primary' })).toEqual([]);
    expect(check.verify([refused], { type: 'redis', role: 'replica' })).toEqual([
      'pre-scale-in on a replica: got status 409 (is primary), want 200',
    ]);
  });
});

describe('formatResults', () => {
  it('prints one row per check and the problems under it', () => {
    const text = formatResults([
      {
        id: 'health',
        hook: 'health',
        path: '/health',
        title: 'answers',
        outcome: 'pass',
        statuses: [200],
        problems: [],
      },
      {
        id: 'role',
        hook: 'role',
        path: '/role',
        title: 'role',
        outcome: 'fail',
        statuses: [500],
        problems: ['body.ok: missing'],
      },
    ]);
    expect(text.split('\n')).toEqual([
      'RESULT  PATH     CHECK   STATUS  WHAT',
      'PASS    /health  health  200     answers',
      'FAIL    /role    role    500     role',
      '        - body.ok: missing',
      '',
      '1 passed, 1 failed, 0 skipped',
    ]);
  });
});

describe('declaredHooks', () => {
  const manifest = `
apiVersion: mwop.dev/v1alpha1
kind: MiddlewareType
metadata: { name: redis }
spec:
  versions:
    - pluginVersion: v1
      lifecycleHooks:
        health: { path: /health }
    - pluginVersion: v2
      lifecycleHooks:
        port: 9090
        health: { path: /healthz, timeoutSeconds: 3 }
        preScaleIn: { path: /pre-scale-in }
`;
  it('reads the last plugin version by default, with paths, timeouts and port', () => {
    expect(declaredHooks(manifest, 'redis.yaml')).toEqual({
      typeName: 'redis',
      pluginVersion: 'v2',
      port: 9090,
      hooks: ['health', 'preScaleIn'],
      overrides: { health: { path: '/healthz', timeoutSeconds: 3 }, preScaleIn: { path: '/pre-scale-in' } },
    });
    expect(declaredHooks(manifest, 'redis.yaml', 'v1').hooks).toEqual(['health']);
  });
  it('names a missing plugin version and the ones that exist', () => {
    expect(() => declaredHooks(manifest, 'redis.yaml', 'v9')).toThrow(
      '--plugin-version: got "v9", redis.yaml has v1, v2',
    );
    expect(() => declaredHooks('kind: ConfigMap', 'x.yaml')).toThrow(
      'x.yaml: no document of kind MiddlewareType',
    );
  });
});
