export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5 * 60_000 };

/** Delay before retry number `failures` (1-based): initial·2^(failures−1), capped. */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures - 1, 40));
}
