import { describe, expect, it } from 'vitest';
import { KeyedRateLimit } from '../../../src/acme/rate-limits.js';

describe('KeyedRateLimit', () => {
  it('allows max per period per key, then says when to retry', () => {
    const limit = new KeyedRateLimit({ max: 2, periodMs: 60_000 });
    expect(limit.take('a', 0)).toEqual({ allowed: true });
    expect(limit.take('a', 0)).toEqual({ allowed: true });
    expect(limit.take('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(limit.take('b', 0)).toEqual({ allowed: true });
  });

  it('refills continuously', () => {
    const limit = new KeyedRateLimit({ max: 2, periodMs: 60_000 });
    limit.take('a', 0);
    limit.take('a', 0);
    expect(limit.take('a', 29_000).allowed).toBe(false);
    expect(limit.take('a', 30_000).allowed).toBe(true);
    expect(limit.take('a', 30_000).allowed).toBe(false);
  });

  it('forgets full buckets when too many keys are tracked', () => {
    const limit = new KeyedRateLimit({ max: 1, periodMs: 1000 }, 2);
    limit.take('a', 0);
    limit.take('b', 0);
    limit.take('c', 5000);
    expect(limit.take('a', 5000).allowed).toBe(true);
  });
});
