// contract.ts and docs/hook-api.yaml must say the same thing: the workflow generator reads one,
// the agents and the conformance kit the other.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  AGENT_ENV,
  COMMON_STATUS_CODES,
  DEFAULT_HOOK_PORT,
  DEFAULT_HOOKS_BY_TYPE,
  HOOK_REQUEST_FIELDS,
  HOOK_REQUEST_REQUIRED,
  HOOK_RESPONSE_FIELDS,
  HOOK_RESPONSE_REQUIRED,
  HOOKS,
  type HookName,
  RETRYABLE_STATUS_CODES,
  resolveHook,
  TIMEOUT_HEADER,
} from '../../../src/agent/contract.ts';
import { HOOK_NAMES } from '../../../src/api/middleware-type.ts';

interface Operation {
  'x-mwop-hook': string;
  'x-mwop-timeout-seconds': number;
  'x-mwop-idempotent': boolean;
  responses: Record<string, unknown>;
}
const doc = parse(readFileSync(new URL('../../../docs/hook-api.yaml', import.meta.url), 'utf8'), {
  maxAliasCount: -1,
}) as {
  openapi: string;
  paths: Record<string, Partial<Record<'get' | 'post', Operation>>>;
  components: { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> };
  [k: `x-${string}`]: unknown;
};

describe('docs/hook-api.yaml and src/agent/contract.ts', () => {
  it('is OpenAPI 3', () => {
    expect(doc.openapi).toMatch(/^3\.[01]\./);
  });

  it('declares exactly the hooks of the API (MiddlewareType lifecycleHooks) at the default paths', () => {
    expect(Object.keys(HOOKS).sort()).toEqual([...HOOK_NAMES].sort());
    const pathsInYaml = Object.keys(doc.paths).sort();
    expect(pathsInYaml).toEqual(
      Object.values(HOOKS)
        .map((h) => h.path)
        .sort(),
    );
  });

  for (const [name, spec] of Object.entries(HOOKS) as [HookName, (typeof HOOKS)[HookName]][]) {
    it(`${name}: methods, timeout, idempotency and status codes agree`, () => {
      const item = doc.paths[spec.path]!;
      const methods = Object.keys(item)
        .map((m) => m.toUpperCase())
        .sort();
      expect(methods).toEqual([...spec.methods].sort());
      for (const op of Object.values(item)) {
        expect(op['x-mwop-hook']).toBe(name);
        expect(op['x-mwop-timeout-seconds']).toBe(spec.timeoutSeconds);
        expect(op['x-mwop-idempotent']).toBe(spec.idempotent);
        expect(Object.keys(op.responses).map(Number).sort()).toEqual([...spec.statusCodes].sort());
      }
    });
  }

  it('agrees on retryable and common status codes, the port and the timeout header', () => {
    expect(doc['x-mwop-retryable-status-codes']).toEqual([...RETRYABLE_STATUS_CODES]);
    expect(doc['x-mwop-common-status-codes']).toEqual([...COMMON_STATUS_CODES]);
    expect(doc['x-mwop-default-port']).toBe(DEFAULT_HOOK_PORT);
    expect(String(doc['x-mwop-timeout-header']).toLowerCase()).toBe(TIMEOUT_HEADER);
    expect(doc['x-mwop-default-hooks']).toEqual(DEFAULT_HOOKS_BY_TYPE);
  });

  it('agrees on the request and response fields', () => {
    const { HookRequest, HookResponse } = doc.components.schemas;
    expect(Object.keys(HookRequest!.properties).sort()).toEqual([...HOOK_REQUEST_FIELDS].sort());
    expect(HookRequest!.required.sort()).toEqual([...HOOK_REQUEST_REQUIRED].sort());
    expect(Object.keys(HookResponse!.properties).sort()).toEqual([...HOOK_RESPONSE_FIELDS].sort());
    expect(HookResponse!.required.sort()).toEqual([...HOOK_RESPONSE_REQUIRED].sort());
  });

  it('documents every agent environment variable', () => {
    const env = (doc['x-mwop-agent'] as { env: Record<string, string> }).env;
    expect(Object.keys(env).sort()).toEqual(Object.values(AGENT_ENV).sort());
  });
});

describe('resolveHook', () => {
  it("uses the contract's defaults and the type's overrides", () => {
    expect(resolveHook('preUpgrade')).toEqual({
      name: 'preUpgrade',
      path: '/pre-upgrade',
      method: 'POST',
      timeoutSeconds: 30,
      retryOnStatus: [503, 504],
    });
    expect(resolveHook('health', { path: '/healthz', timeoutSeconds: 2, method: 'GET' })).toMatchObject({
      path: '/healthz',
      timeoutSeconds: 2,
      method: 'GET',
    });
  });
});
