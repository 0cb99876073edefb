/** An error response from the API server, with its HTTP status and metav1.Status reason. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string;
  readonly details: unknown;

  constructor(statusCode: number, reason: string, message: string, details?: unknown) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
    this.details = details;
  }
}

const status = (err: unknown): number | undefined =>
  err instanceof KubeApiError ? err.statusCode : (err as { statusCode?: number; code?: number })?.statusCode;

export const isNotFound = (err: unknown) => status(err) === 404;
export const isConflict = (err: unknown) => status(err) === 409;
export const isGone = (err: unknown) => status(err) === 410;
export const isForbidden = (err: unknown) => status(err) === 403;
export const isInvalid = (err: unknown) => status(err) === 422;

/**
 * A failure that retrying cannot fix (bad spec, missing type). The work queue does not requeue it;
 * the controller writes it into status instead (controller-runtime's TerminalError).
 */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}
