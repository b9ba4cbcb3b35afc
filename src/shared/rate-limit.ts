/** The client-side limit on Kubernetes API requests, as cert-manager sets it (`--kube-api-qps`, `--kube-api-burst`). */
export const DEFAULT_KUBE_API_QPS = 20;
export const DEFAULT_KUBE_API_BURST = 50;

/** At most `max` events per key (a client address, an account) within `periodMs`. */
export interface RateLimitSetting {
  readonly max: number;
  readonly periodMs: number;
}

/** The outcome of charging one event to a key; a refusal says when to try again (HTTP Retry-After). */
export type RateLimitDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** One key's token bucket as a store keeps it: the tokens left at `atMs`. */
export interface RateLimitBucket {
  readonly tokens: number;
  readonly atMs: number;
}

/** What charging one event did: the decision, the bucket to store, and when that bucket is full again (and may be forgotten). */
export interface RateLimitCharge {
  readonly decision: RateLimitDecision;
  readonly bucket: RateLimitBucket;
  readonly fullAtMs: number;
}

/**
 * A token bucket of `max` tokens refilled continuously over `periodMs`: an absent bucket is full.
 * Pure, so every store (memory, SQLite, Kubernetes objects) charges the same way; a refused event
 * leaves the bucket as it was.
 */
export function chargeBucket(bucket: RateLimitBucket | undefined, setting: RateLimitSetting, nowMs: number): RateLimitCharge {
  const { max, periodMs } = setting;
  const refillPerMs = max / periodMs;
  const tokens = bucket ? Math.min(max, bucket.tokens + Math.max(0, nowMs - bucket.atMs) * refillPerMs) : max;
  const fullAt = (left: number) => nowMs + Math.ceil((max - left) / refillPerMs);
  if (tokens < 1) {
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000));
    return { decision: { allowed: false, retryAfterSeconds }, bucket: { tokens, atMs: nowMs }, fullAtMs: fullAt(tokens) };
  }
  return { decision: { allowed: true }, bucket: { tokens: tokens - 1, atMs: nowMs }, fullAtMs: fullAt(tokens - 1) };
}
