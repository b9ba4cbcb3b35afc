import { describe, expect, it } from 'vitest';
import { CounterNonceService } from '../../../src/acme/nonces.js';
import { SHARED_NONCE_LIFETIME_MS, SharedNonceService } from '../../../src/acme/shared-nonces.js';
import { fixedClock } from '../../../src/shared/clock.js';

describe('CounterNonceService', () => {
  it('redeems an issued nonce exactly once', async () => {
    const nonces = new CounterNonceService();
    const nonce = nonces.issue();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await nonces.redeem(nonce)).toBe(true);
    expect(await nonces.redeem(nonce)).toBe(false);
  });

  it('issues distinct nonces and accepts them in any order', async () => {
    const nonces = new CounterNonceService();
    const issued = Array.from({ length: 50 }, () => nonces.issue());
    expect(new Set(issued).size).toBe(50);
    expect(await Promise.all([...issued].reverse().map((nonce) => nonces.redeem(nonce)))).toEqual(issued.map(() => true));
  });

  it('refuses nonces it never issued: forged, another instance, garbage', async () => {
    const nonces = new CounterNonceService();
    const other = new CounterNonceService();
    const good = nonces.issue();
    const tampered = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    expect(await nonces.redeem(tampered)).toBe(false);
    expect(await nonces.redeem(other.issue())).toBe(false);
    expect(await nonces.redeem('')).toBe(false);
    expect(await nonces.redeem('not a nonce at all!!!!!!')).toBe(false);
    expect(await nonces.redeem(good)).toBe(true);
  });

  it('keeps memory fixed: only the last `window` nonces are redeemable, each once', async () => {
    const nonces = new CounterNonceService({ window: 64 });
    const old = nonces.issue();
    const recent = Array.from({ length: 64 }, () => nonces.issue());
    expect(await nonces.redeem(old)).toBe(false);
    expect(await Promise.all(recent.map((nonce) => nonces.redeem(nonce)))).toEqual(recent.map(() => true));
    expect(await Promise.all(recent.map((nonce) => nonces.redeem(nonce)))).toEqual(recent.map(() => false));
    // Issuing reuses a ring slot: the bit is cleared for the new counter, the old one stays refused.
    const fresh = nonces.issue();
    expect(await nonces.redeem(recent[0]!)).toBe(false);
    expect(await nonces.redeem(fresh)).toBe(true);
  });

  it('chaos mode refuses the configured share of good nonces', async () => {
    const rolls = [0.1, 0.9];
    const nonces = new CounterNonceService({ rejectPercent: 50, random: () => rolls.shift() ?? 0.9 });
    expect(await nonces.redeem(nonces.issue())).toBe(false);
    expect(await nonces.redeem(nonces.issue())).toBe(true);
  });
});

describe('SharedNonceService: the nonces of several replicas', () => {
  /** The shared record of used nonces, as the Kubernetes store keeps it (create fails for the second). */
  class ClaimSet {
    readonly claims = new Map<string, Date>();
    async claimNonce(digest: string, expires: Date): Promise<boolean> {
      if (this.claims.has(digest)) return false;
      this.claims.set(digest, expires);
      return true;
    }
  }
  const key = new Uint8Array(32).fill(7);
  const replicas = (store: ClaimSet, clock: { now(): Date }) => [new SharedNonceService({ key, store, clock }), new SharedNonceService({ key, store, clock })] as const;

  it('a nonce one replica issued is accepted by another, once in all: a replay to either is refused', async () => {
    const store = new ClaimSet();
    const [a, b] = replicas(store, fixedClock('2030-01-01T00:00:00Z'));
    const nonce = a.issue();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{42}$/);
    expect(await b.redeem(nonce)).toBe(true);
    expect(await a.redeem(nonce)).toBe(false);
    expect(await b.redeem(nonce)).toBe(false);
    // The record names a digest (the nonce never leaves the server) and lapses after two lifetimes.
    const claims = [...store.claims];
    expect(claims).toHaveLength(1);
    const [digest, expires] = claims[0]!;
    expect(digest).toMatch(/^[0-9a-f]{40}$/);
    expect(expires).toEqual(new Date(Date.parse('2030-01-01T00:00:00Z') + 2 * SHARED_NONCE_LIFETIME_MS));
  });

  it('refuses nonces MAC\'d with another key, tampered, malformed, expired, or from too far in the future — without recording them', async () => {
    const store = new ClaimSet();
    let now = Date.parse('2030-01-01T00:00:00Z');
    const clock = { now: () => new Date(now) };
    const [a] = replicas(store, clock);
    const stranger = new SharedNonceService({ key: new Uint8Array(32).fill(9), store, clock });
    const good = a.issue();
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    // The last character holds 2 bits of the nonce and 4 spare bits: a change to the spare bits
    // alone decodes to the same bytes, and is refused as a second spelling.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = good.slice(0, -1) + alphabet[alphabet.indexOf(good.at(-1)!) ^ 1]!;
    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(good, 'base64url'))).toBe(true);
    for (const bad of [stranger.issue(), flip(good, 20), respelled, '', 'x'.repeat(42), new CounterNonceService().issue()]) expect(await a.redeem(bad)).toBe(false);
    now += SHARED_NONCE_LIFETIME_MS;
    expect(await a.redeem(good)).toBe(false);
    const early = a.issue();
    now -= 2 * SHARED_NONCE_LIFETIME_MS + 1;
    expect(await a.redeem(early)).toBe(false);
    expect(store.claims.size).toBe(0);
  });

  it('accepts a nonce from a replica whose clock runs a little ahead', async () => {
    const store = new ClaimSet();
    const ahead = new SharedNonceService({ key, store, clock: fixedClock('2030-01-01T00:01:00Z') });
    const behind = new SharedNonceService({ key, store, clock: fixedClock('2030-01-01T00:00:00Z') });
    expect(await behind.redeem(ahead.issue())).toBe(true);
  });

  it('chaos mode refuses the configured share of good nonces', async () => {
    const rolls = [0.1, 0.9];
    const nonces = new SharedNonceService({ key, store: new ClaimSet(), clock: fixedClock('2030-01-01T00:00:00Z'), rejectPercent: 50, random: () => rolls.shift() ?? 0.9 });
    expect(await nonces.redeem(nonces.issue())).toBe(false);
    expect(await nonces.redeem(nonces.issue())).toBe(true);
  });
});
