import type { RateLimitDecision, RateLimitSetting } from '../shared/rate-limit.js';

export type { RateLimitDecision, RateLimitSetting };

/**
 * A token bucket per key (client address for newAccount, account for newOrder): `max` tokens,
 * refilled continuously over `periodMs`. Buckets that are full again are forgotten, so memory is
 * bounded by the keys active within one period (and by `maxKeys`).
 */
export class KeyedRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly setting: RateLimitSetting,
    private readonly maxKeys = 100_000,
  ) {}

  take(key: string, now: number): RateLimitDecision {
    const { max, periodMs } = this.setting;
    const refillPerMs = max / periodMs;
    const bucket = this.buckets.get(key);
    const tokens = bucket ? Math.min(max, bucket.tokens + (now - bucket.at) * refillPerMs) : max;
    if (tokens < 1) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000)) };
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) this.forgetFull(now);
    return { allowed: true };
  }

  private forgetFull(now: number): void {
    const { max, periodMs } = this.setting;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) * max) / periodMs >= max || this.buckets.size > this.maxKeys) this.buckets.delete(key);
      else break;
    }
  }
}
