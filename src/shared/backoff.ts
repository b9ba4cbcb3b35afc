/** Exponential backoff: `initialMs` after the first failure, doubling, never above `maxMs`. */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Delay before retry number `failures` (1-based): initial·2^(failures−1), capped; 0 before any failure. */
export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  if (failures <= 0) return 0;
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures - 1, 40));
}

/** `ms` stretched by up to `fraction` at random, so replicas that started together drift apart (client-go's jitter). */
export function jittered(ms: number, fraction: number, random: () => number = Math.random): number {
  return ms * (1 + random() * fraction);
}
