// mwop-hook-call: one HTTP call to a member's hook agent (docs/hook-api.yaml), made by Argo's
// agent. Retries only what the contract marks retryable (503, 504); 400, 409 and 500 fail at once.
import { RETRYABLE_STATUS_CODES, TIMEOUT_HEADER } from '../../agent/contract.ts';
import type { ClusterWorkflowTemplate, Template } from '../argo-types.ts';
import { CWT, HOOK_TIMEOUT_CLASSES, hookCallTemplate, T } from './catalog.ts';
import { clusterTemplate } from './cluster-template.ts';
import { input, p } from './params.ts';

/**
 * With the default success condition Argo's agent fails a non-2xx answer with the message
 * "received non-2xx response code: N"; lastRetry.message is that message.
 */
export const RETRYABLE_EXPRESSION = `lastRetry.message matches 'response code: (${RETRYABLE_STATUS_CODES.join('|')})$'`;

/** Attempts after the first one; the backoff keeps all of them within a few hook deadlines. */
export const HOOK_RETRY_LIMIT = 3;

/** Slack for the agent's own 504 to arrive before the connection is cut. */
const HTTP_GRACE_SECONDS = 5;

function callTemplate(cls: number): Template {
  return {
    name: hookCallTemplate(cls),
    inputs: {
      parameters: [
        p('url', 'Hook URL, for example http://cache-0.cache-headless.team-a.svc:8080/pre-upgrade.'),
        { ...p('method', 'GET or POST.', 'POST'), enum: ['GET', 'POST'] },
        p('body', 'JSON request body (HookRequest in docs/hook-api.yaml).', '{}'),
        p('timeout-seconds', `The hook's deadline, sent in ${TIMEOUT_HEADER}; at most ${cls}.`, String(cls)),
      ],
    },
    http: {
      method: input('method') as 'POST',
      url: input('url'),
      headers: [
        { name: 'Content-Type', value: 'application/json' },
        { name: TIMEOUT_HEADER, value: input('timeout-seconds') },
      ],
      body: input('body'),
      timeoutSeconds: cls + HTTP_GRACE_SECONDS,
    },
    retryStrategy: {
      limit: HOOK_RETRY_LIMIT,
      retryPolicy: 'Always',
      expression: RETRYABLE_EXPRESSION,
      backoff: { duration: '2s', factor: 2, maxDuration: `${cls * (HOOK_RETRY_LIMIT + 1)}s` },
    },
  };
}

/** Polls /health until it answers 2xx: a gate, so it retries on any failure, within 5 minutes. */
function healthGate(): Template {
  return {
    name: T.hookCall.healthGate,
    inputs: {
      parameters: [
        p(
          'url',
          'Health URL of one member, for example http://cache-0.cache-headless.team-a.svc:8080/health.',
        ),
      ],
    },
    http: {
      method: 'GET',
      url: input('url'),
      headers: [{ name: TIMEOUT_HEADER, value: '5' }],
      timeoutSeconds: 5 + HTTP_GRACE_SECONDS,
    },
    retryStrategy: {
      limit: 30,
      retryPolicy: 'Always',
      backoff: { duration: '5s', factor: 1, maxDuration: '5m' },
    },
  };
}

export function hookCallTemplates(): ClusterWorkflowTemplate {
  return clusterTemplate(
    CWT.hookCall,
    'Calls one lifecycle hook of a member (docs/hook-api.yaml). One template per deadline class; retries only 503 and 504.',
    hookCallTemplate(60),
    [...HOOK_TIMEOUT_CLASSES.map(callTemplate), healthGate()],
  );
}
