// A hook failure carries the HTTP status of the contract (docs/hook-api.yaml) and a reason.
import { isRetryableStatus, STATUS } from './contract.ts';

export class HookError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'HookError';
    this.status = status;
    this.reason = reason;
    this.details = details;
  }

  get retryable(): boolean {
    return isRetryableStatus(this.status);
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new HookError(STATUS.badRequest, 'BadRequest', message, details);

/** A failed precondition. The reason names which one, for example SaveInProgress. */
export const refused = (reason: string, message: string, details?: Record<string, unknown>) =>
  new HookError(STATUS.refused, reason, message, details);

export const unreachable = (message: string, details?: Record<string, unknown>) =>
  new HookError(STATUS.unreachable, 'MiddlewareUnreachable', message, details);

export const timedOut = (message: string, details?: Record<string, unknown>) =>
  new HookError(STATUS.timeout, 'Timeout', message, details);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENOENT', // a unix socket that does not exist (yet)
  'PROTOCOL_CONNECTION_LOST',
]);

/**
 * Maps an error from a middleware client to the contract: connection failures are 503, timeouts 504,
 * a HookError stays as it is, anything else is rethrown for the caller to classify.
 */
export function classifyClientError(err: unknown, what: string): HookError | undefined {
  if (err instanceof HookError) return err;
  const e = err as { code?: string; message?: string; name?: string };
  const text = e?.message ?? String(err);
  // A reply from the server (redis ReplyError, a mysql error number) is an answer, not a lost connection,
  // even when it mentions a setting such as `timeout`.
  if (e?.name === 'ReplyError' || typeof (err as { errno?: unknown })?.errno === 'number') {
    if (!(e?.code && UNREACHABLE_CODES.has(e.code)) && e?.code !== 'ETIMEDOUT') return undefined;
  }
  if (e?.code === 'ETIMEDOUT' || e?.name === 'TimeoutError' || /timed out/i.test(text)) {
    return timedOut(`${what} did not answer in time: ${text}`);
  }
  if ((e?.code && UNREACHABLE_CODES.has(e.code)) || /connection is closed|connect E[A-Z]+/i.test(text)) {
    return unreachable(`${what} is unreachable: ${text}`);
  }
  return undefined;
}
