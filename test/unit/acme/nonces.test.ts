import { describe, expect, it } from 'vitest';
import { CounterNonceService } from '../../../src/acme/nonces.js';

describe('CounterNonceService', () => {
  it('redeems an issued nonce exactly once', () => {
    const nonces = new CounterNonceService();
    const nonce = nonces.issue();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(nonces.redeem(nonce)).toBe(true);
    expect(nonces.redeem(nonce)).toBe(false);
  });

  it('issues distinct nonces and accepts them in any order', () => {
    const nonces = new CounterNonceService();
    const issued = Array.from({ length: 50 }, () => nonces.issue());
    expect(new Set(issued).size).toBe(50);
    expect([...issued].reverse().map((nonce) => nonces.redeem(nonce))).toEqual(issued.map(() => true));
  });

  it('refuses nonces it never issued: forged, another instance, garbage', () => {
    const nonces = new CounterNonceService();
    const other = new CounterNonceService();
    const good = nonces.issue();
    const tampered = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    expect(nonces.redeem(tampered)).toBe(false);
    expect(nonces.redeem(other.issue())).toBe(false);
    expect(nonces.redeem('')).toBe(false);
    expect(nonces.redeem('not a nonce at all!!!!!!')).toBe(false);
    expect(nonces.redeem(good)).toBe(true);
  });

  it('keeps memory fixed: only the last `window` nonces are redeemable, each once', () => {
    const nonces = new CounterNonceService({ window: 64 });
    const old = nonces.issue();
    const recent = Array.from({ length: 64 }, () => nonces.issue());
    expect(nonces.redeem(old)).toBe(false);
    expect(recent.map((nonce) => nonces.redeem(nonce))).toEqual(recent.map(() => true));
    expect(recent.map((nonce) => nonces.redeem(nonce))).toEqual(recent.map(() => false));
    // Issuing reuses a ring slot: the bit is cleared for the new counter, the old one stays refused.
    const fresh = nonces.issue();
    expect(nonces.redeem(recent[0]!)).toBe(false);
    expect(nonces.redeem(fresh)).toBe(true);
  });

  it('chaos mode refuses the configured share of good nonces', () => {
    const rolls = [0.1, 0.9];
    const nonces = new CounterNonceService({ rejectPercent: 50, random: () => rolls.shift() ?? 0.9 });
    expect(nonces.redeem(nonces.issue())).toBe(false);
    expect(nonces.redeem(nonces.issue())).toBe(true);
  });
});
