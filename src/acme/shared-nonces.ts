import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { AcmeNonceStore } from '../store/acme-store.js';
import type { NonceService } from './nonces.js';

export interface SharedNonceServiceOptions {
  /** The MAC key every replica shares (AcmeNonceStore.nonceKey). */
  readonly key: Uint8Array;
  /** Where a used nonce is recorded, once for all replicas. */
  readonly store: Pick<AcmeNonceStore, 'claimNonce'>;
  readonly clock: Clock;
  /** How long a nonce stays usable after it was issued. */
  readonly lifetimeMs?: number;
  /** Pebble-style chaos: refuse this percentage of otherwise valid nonces (0 = off). */
  readonly rejectPercent?: number;
  readonly random?: () => number;
}

const VERSION = 1;
const TIME_BYTES = 6;
const RANDOM_BYTES = 12;
const MAC_BYTES = 12;
const BODY_BYTES = 1 + TIME_BYTES + RANDOM_BYTES;
const NONCE_LENGTH = Math.ceil(((BODY_BYTES + MAC_BYTES) * 4) / 3);
export const SHARED_NONCE_LIFETIME_MS = 5 * 60_000;

/**
 * Nonces for several replicas (RFC 8555 §6.5): the issue time and random bytes under a MAC with
 * the key all replicas share, so any replica recognises a nonce any other issued. Each nonce is
 * accepted at most once across all of them: redeeming it creates a record named by its digest in
 * the shared store, and creation fails for the second one. A nonce older than the lifetime is
 * refused without a write, so the records only need keeping for that long (twice that, for clocks of
 * replicas that disagree by up to one lifetime). Clients retry a
 * refused nonce with the fresh one every response carries (badNonce).
 */
export class SharedNonceService implements NonceService {
  private readonly lifetimeMs: number;
  private readonly rejectPercent: number;
  private readonly random: () => number;

  constructor(private readonly options: SharedNonceServiceOptions) {
    if (options.key.length < 32) throw new RangeError('the nonce key must hold at least 32 bytes');
    this.lifetimeMs = options.lifetimeMs ?? SHARED_NONCE_LIFETIME_MS;
    this.rejectPercent = options.rejectPercent ?? 0;
    this.random = options.random ?? Math.random;
  }

  issue(): string {
    const body = Buffer.alloc(BODY_BYTES);
    body.writeUInt8(VERSION, 0);
    body.writeUIntBE(this.options.clock.now().getTime(), 1, TIME_BYTES);
    randomBytes(RANDOM_BYTES).copy(body, 1 + TIME_BYTES);
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  async redeem(nonce: string): Promise<boolean> {
    const issuedAt = this.issuedAt(nonce);
    if (issuedAt === undefined) return false;
    const expires = issuedAt + this.lifetimeMs;
    const now = this.options.clock.now().getTime();
    // A nonce from the future was issued by a replica whose clock runs ahead: allowed by one lifetime.
    if (now >= expires || issuedAt > now + this.lifetimeMs) return false;
    // The record outlives the nonce by one more lifetime: a replica whose clock lags accepts it that much longer.
    if (!(await this.options.store.claimNonce(digestOf(nonce), new Date(expires + this.lifetimeMs)))) return false;
    return !(this.rejectPercent > 0 && this.random() * 100 < this.rejectPercent);
  }

  private issuedAt(nonce: string): number | undefined {
    if (typeof nonce !== 'string' || nonce.length !== NONCE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(nonce)) return undefined;
    const bytes = Buffer.from(nonce, 'base64url');
    // Only the canonical text: the last character carries spare bits, and a second spelling of one
    // nonce would have a digest of its own (a second use).
    if (bytes.length !== BODY_BYTES + MAC_BYTES || bytes.toString('base64url') !== nonce) return undefined;
    const body = bytes.subarray(0, BODY_BYTES);
    if (!timingSafeEqual(this.mac(body), bytes.subarray(BODY_BYTES)) || body.readUInt8(0) !== VERSION) return undefined;
    return body.readUIntBE(1, TIME_BYTES);
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.options.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}

/** The record name of a nonce: 40 hex digits of its SHA-256 (the nonce itself never leaves the server). */
function digestOf(nonce: string): string {
  return createHash('sha256').update(nonce).digest('hex').slice(0, 40);
}
