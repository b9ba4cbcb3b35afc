import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/api/rate-limiter.js';

describe('RateLimiter', () => {
  it('allows max per window per client and says when to retry', () => {
    const limiter = new RateLimiter(1, 60_000);
    expect(limiter.take('a', 0)).toEqual({ allowed: true });
    expect(limiter.take('a', 1_000)).toEqual({ allowed: false, retryAfterSeconds: 59 });
    expect(limiter.take('a', 59_500)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b', 1_000)).toEqual({ allowed: true });
    expect(limiter.take('a', 60_000)).toEqual({ allowed: true });
  });

  it('counts up to max within a window', () => {
    const limiter = new RateLimiter(3, 10_000);
    expect([0, 1, 2, 3].map((t) => limiter.take('a', t).allowed)).toEqual([true, true, true, false]);
  });

  it('sweeps expired windows and bounds the number of clients', () => {
    const limiter = new RateLimiter(1, 1000, 3);
    for (const client of ['a', 'b', 'c']) limiter.take(client, 0);
    expect(limiter.size).toBe(3);
    limiter.take('d', 10);
    expect(limiter.size).toBeLessThanOrEqual(3);
    limiter.take('e', 5000);
    expect(limiter.size).toBe(1);
  });
});
