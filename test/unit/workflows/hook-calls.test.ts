// Hook calls follow the contract: a deadline always, retries only on the retryable codes.
import { describe, expect, it } from 'vitest';
import { HOOKS, isRetryableStatus, TIMEOUT_HEADER } from '../../../src/agent/contract.ts';
import { clusterWorkflowTemplates, planWorkflow } from '../../../src/workflows/index.ts';
import { HOOK_TIMEOUT_CLASSES, hookTimeoutClass } from '../../../src/workflows/templates/catalog.ts';
import { RETRYABLE_EXPRESSION } from '../../../src/workflows/templates/hook-call.ts';
import { instance, plugin, version } from './support/fixtures.ts';
import { mainTasks } from './support/graph.ts';

const hookCall = clusterWorkflowTemplates().find((c) => c.metadata.name === 'mwop-hook-call');

/** The Go regexp in the retry expression, as a JS RegExp (the syntax used is common to both). */
const retryPattern = new RegExp(/matches '(.*)'$/.exec(RETRYABLE_EXPRESSION)?.[1] ?? 'unparsed');

describe('hook-call templates', () => {
  it('has one call template per deadline class, each with an HTTP deadline and the 503/504 retry', () => {
    for (const cls of HOOK_TIMEOUT_CLASSES) {
      const t = hookCall?.spec.templates?.find((x) => x.name === `call-within-${cls}s`);
      expect(t?.http?.timeoutSeconds).toBe(cls + 5);
      expect(t?.http?.headers).toContainEqual({
        name: TIMEOUT_HEADER,
        value: '{{inputs.parameters.timeout-seconds}}',
      });
      expect(t?.retryStrategy?.expression).toBe(RETRYABLE_EXPRESSION);
      expect(t?.retryStrategy?.limit).toBe(3);
    }
  });

  it("retries exactly the contract's retryable status codes", () => {
    for (const code of [200, 400, 404, 405, 409, 500, 502, 503, 504]) {
      const message = `received non-2xx response code: ${code}`;
      expect(retryPattern.test(message), String(code)).toBe(isRetryableStatus(code));
    }
    expect(retryPattern.test('dial tcp 10.0.0.1:8080: connect: connection refused')).toBe(false);
  });

  it('picks the smallest deadline class that holds the hook timeout, and refuses one above the largest', () => {
    expect(hookTimeoutClass(1)).toBe(5);
    expect(hookTimeoutClass(45)).toBe(60);
    expect(hookTimeoutClass(3600)).toBe(3600);
    expect(() => hookTimeoutClass(3601)).toThrow(/timeoutSeconds: 3601 .* accepted: 1 to 3600/);
  });

  it("uses the type's timeout when it sets one, else the contract default", () => {
    const v = version();
    const hooks = {
      ...v.lifecycleHooks,
      preUpgrade: { path: '/pre-upgrade', timeoutSeconds: 45 },
      postUpgrade: { path: '/post-upgrade' },
    };
    const wf = planWorkflow(
      { kind: 'Upgrade', fromPlugin: 'v1', toPlugin: 'v1', fromVersion: '7.2.11', toVersion: '7.4.2' },
      plugin(version({ lifecycleHooks: hooks })),
      instance(1),
    );
    const pre = mainTasks(wf).find((t) => t.name === 'pre-upgrade-0');
    const post = mainTasks(wf).find((t) => t.name === 'post-upgrade-0');
    expect(pre?.templateRef?.template).toBe('call-within-60s');
    expect(pre?.arguments?.parameters?.find((p) => p.name === 'timeout-seconds')?.value).toBe('45');
    expect(post?.arguments?.parameters?.find((p) => p.name === 'timeout-seconds')?.value).toBe(
      String(HOOKS.postUpgrade.timeoutSeconds),
    );
  });

  it('the health gate retries on any failure (it waits for a restarting pod) within a bound', () => {
    const gate = hookCall?.spec.templates?.find((x) => x.name === 'health-gate');
    expect(gate?.http?.method).toBe('GET');
    expect(gate?.http?.timeoutSeconds).toBeGreaterThan(0);
    expect(gate?.retryStrategy).toMatchObject({
      retryPolicy: 'Always',
      limit: 30,
      backoff: { maxDuration: '5m' },
    });
  });
});
