import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Issues and redeems the single-use anti-replay nonces of RFC 8555 §6.5. */
export interface NonceService {
  issue(): string;
  /** True exactly once for a nonce this service issued and has not forgotten; false otherwise. */
  redeem(nonce: string): Promise<boolean>;
}

export interface NonceServiceOptions {
  /** How many of the most recently issued nonces stay redeemable (rounded up to a multiple of 32). */
  readonly window?: number;
  /** Pebble-style chaos: refuse this percentage of otherwise valid nonces (0 = off). */
  readonly rejectPercent?: number;
  readonly random?: () => number;
}

const COUNTER_BYTES = 6;
const MAC_BYTES = 12;
const NONCE_BYTES = COUNTER_BYTES + MAC_BYTES;
const DEFAULT_WINDOW = 1 << 20;

/**
 * A nonce is an increasing 48-bit counter plus a MAC under a per-process key, so issuing stores
 * nothing but one bit. Redemption is tracked in a ring bitmap over the last `window` counters: a
 * nonce is good when its MAC verifies, it is among the last `window` issued, and its bit is clear.
 * Memory is fixed (128 KiB for a million outstanding nonces) however many are fetched or used; a
 * nonce older than the window, or from before a restart, is refused and clients retry (badNonce).
 * One process only: with several replicas, see SharedNonceService.
 */
export class CounterNonceService implements NonceService {
  private readonly key = randomBytes(32);
  // Counters start at a random point so a nonce does not reveal how many requests this process served.
  private issued = randomBytes(5).readUIntBE(0, 5);
  private readonly window: number;
  private readonly used: Uint32Array;
  private readonly rejectPercent: number;
  private readonly random: () => number;

  constructor(options: NonceServiceOptions = {}) {
    this.window = Math.ceil((options.window ?? DEFAULT_WINDOW) / 32) * 32;
    this.used = new Uint32Array(this.window / 32);
    this.rejectPercent = options.rejectPercent ?? 0;
    this.random = options.random ?? Math.random;
  }

  issue(): string {
    this.issued += 1;
    this.setUsed(this.issued, false);
    const body = Buffer.alloc(NONCE_BYTES);
    body.writeUIntBE(this.issued, 0, COUNTER_BYTES);
    this.mac(body.subarray(0, COUNTER_BYTES)).copy(body, COUNTER_BYTES);
    return body.toString('base64url');
  }

  async redeem(nonce: string): Promise<boolean> {
    const counter = this.decode(nonce);
    if (counter === undefined || counter > this.issued || counter <= this.issued - this.window || this.isUsed(counter)) return false;
    this.setUsed(counter, true);
    return !(this.rejectPercent > 0 && this.random() * 100 < this.rejectPercent);
  }

  private decode(nonce: string): number | undefined {
    if (typeof nonce !== 'string' || !/^[A-Za-z0-9_-]{24}$/.test(nonce)) return undefined;
    const body = Buffer.from(nonce, 'base64url');
    const counterBytes = body.subarray(0, COUNTER_BYTES);
    if (body.length !== NONCE_BYTES || !timingSafeEqual(this.mac(counterBytes), body.subarray(COUNTER_BYTES))) return undefined;
    return counterBytes.readUIntBE(0, COUNTER_BYTES);
  }

  private mac(counterBytes: Buffer): Buffer {
    return createHmac('sha256', this.key).update(counterBytes).digest().subarray(0, MAC_BYTES);
  }

  private isUsed(counter: number): boolean {
    const slot = counter % this.window;
    return (this.used[slot >>> 5]! & (1 << (slot & 31))) !== 0;
  }

  private setUsed(counter: number, used: boolean): void {
    const slot = counter % this.window;
    const bit = 1 << (slot & 31);
    this.used[slot >>> 5] = used ? this.used[slot >>> 5]! | bit : this.used[slot >>> 5]! & ~bit;
  }
}
