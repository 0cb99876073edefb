// Errors a user sees from kubectl-mw. Each one says what went wrong and what to do next, the way
// kubectl's own messages do; `formatError` turns any thrown value into that shape.
import { KubeApiError } from '../kube/errors.ts';

/** A user-facing failure: `message` says what is wrong, `hint` what to do about it. */
export class CliError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, hint?: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

export interface ErrorContext {
  /** What the command was doing, e.g. 'get middlewareinstance cache in namespace team-a'. */
  action?: string;
  namespace?: string;
}

/** `error: ...` plus an indented `next: ...` line when there is advice. */
export function formatError(err: unknown, ctx: ErrorContext = {}): string {
  const { message, hint } = explain(err, ctx);
  return hint ? `error: ${message}\n  next: ${hint}\n` : `error: ${message}\n`;
}

export function explain(err: unknown, ctx: ErrorContext = {}): { message: string; hint?: string } {
  if (err instanceof CliError) return { message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  if (err instanceof KubeApiError) return explainApiError(err, ctx);
  const e = err as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  const code = e?.cause?.code ?? e?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') {
    return {
      message: `cannot reach the Kubernetes API server (${code}${e.cause?.message ? `: ${e.cause.message}` : ''})`,
      hint: 'check that the cluster is running and that --kubeconfig/--context point at it (kubectl cluster-info)',
    };
  }
  if ((err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError') {
    return {
      message: 'the Kubernetes API server did not answer in time',
      hint: 'check the cluster with `kubectl cluster-info` and retry',
    };
  }
  if (e?.message === 'fetch failed' && e.cause?.message) {
    return {
      message: `cannot reach the Kubernetes API server: ${e.cause.message}`,
      hint: 'check that --kubeconfig/--context point at a running cluster (kubectl cluster-info)',
    };
  }
  return { message: (err as Error)?.message ?? String(err) };
}

function explainApiError(err: KubeApiError, ctx: ErrorContext): { message: string; hint?: string } {
  const what = ctx.action ? `${ctx.action}: ` : '';
  switch (err.statusCode) {
    case 401:
      return {
        message: `${what}the API server rejected your credentials (401 Unauthorized)`,
        hint: 'refresh the token or client certificate in your kubeconfig, or pick another --context',
      };
    case 403: {
      const ns = ctx.namespace ?? /in the namespace "([^"]+)"/.exec(err.message)?.[1] ?? '<namespace>';
      return {
        message: `${what}${err.message}`,
        hint: `ask an admin of namespace ${ns} to bind you to the mwop-view (read) or mwop-edit role; \`kubectl auth can-i --list -n ${ns}\` shows what you may do`,
      };
    }
    case 404:
      if (/the server could not find the requested resource/.test(err.message)) {
        return {
          message: `${what}the mwop.dev API is not installed in this cluster`,
          hint: 'install the CRDs with `kubectl apply -f crds/` (or the operator chart), then retry',
        };
      }
      return { message: `${what}${err.message}` };
    case 409:
      return {
        message: `${what}${err.message}`,
        hint: 'pick another name, or delete the existing object first',
      };
    case 422:
      return {
        message: `${what}the API server rejected the object: ${err.message}`,
        hint: 'fix the fields named above and retry',
      };
    default:
      return { message: `${what}${err.message} (HTTP ${err.statusCode} ${err.reason})` };
  }
}
