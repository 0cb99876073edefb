/** Per-failure exponential backoff, controller-runtime's defaults: 5 ms doubling up to 1000 s. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5, maxMs: 1_000_000 };

export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  const exp = Math.min(failures - 1, 40);
  return Math.min(policy.baseMs * 2 ** exp, policy.maxMs);
}
