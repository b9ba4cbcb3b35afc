import { describe, expect, it } from 'vitest';
import { chargeBucket, type RateLimitBucket, type RateLimitSetting } from '../../../src/shared/rate-limit.js';

/** Charges `key` at each time in turn, keeping the bucket as a store would. */
function charges(setting: RateLimitSetting, times: readonly number[]): Array<ReturnType<typeof chargeBucket>['decision']> {
  let bucket: RateLimitBucket | undefined;
  return times.map((at) => {
    const charge = chargeBucket(bucket, setting, at);
    if (charge.decision.allowed) bucket = charge.bucket;
    return charge.decision;
  });
}

describe('chargeBucket: the token bucket every store charges ACME limits with', () => {
  it('allows max per period, then says when to retry', () => {
    expect(charges({ max: 2, periodMs: 60_000 }, [0, 0, 0])).toEqual([{ allowed: true }, { allowed: true }, { allowed: false, retryAfterSeconds: 30 }]);
  });

  it('refills continuously', () => {
    expect(charges({ max: 2, periodMs: 60_000 }, [0, 0, 29_000, 30_000, 30_000]).map((decision) => decision.allowed)).toEqual([true, true, false, true, false]);
  });

  it('says when the bucket is full again, so a store may forget it then', () => {
    const setting = { max: 4, periodMs: 60_000 };
    expect(chargeBucket(undefined, setting, 1_000).fullAtMs).toBe(1_000 + 15_000);
    const drained = { tokens: 0, atMs: 0 };
    expect(chargeBucket(drained, setting, 0)).toMatchObject({ decision: { allowed: false }, fullAtMs: 60_000 });
    expect(chargeBucket({ tokens: 4, atMs: 0 }, setting, 0).bucket).toEqual({ tokens: 3, atMs: 0 });
  });

  it('never counts time backwards (a replica whose clock lags another)', () => {
    expect(chargeBucket({ tokens: 0.5, atMs: 10_000 }, { max: 1, periodMs: 1_000 }, 9_000).decision).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
