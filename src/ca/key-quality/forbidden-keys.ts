import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { CsrCheck } from '../csr-checks.js';
import { CaError } from '../errors.js';

/** A key that must never be certified for a requester, with what it is ("the root CA key"). */
export interface ForbiddenKey {
  readonly label: string;
  /** A public or private KeyObject, SPKI DER, a PEM (public, private or certificate) or a public JWK. */
  readonly key: KeyObject | Uint8Array | string | JsonWebKey;
}

/**
 * Refuses a requested key that equals one of a fixed set: the CA's own keys (root, every signing
 * intermediate) and, on the ACME door, the requesting account's key. Keys are compared by their
 * RFC 7638 thumbprint (SHA-256 over the required JWK members, with integers in their minimal form),
 * so the same key in another encoding, a private half, or a certificate still matches.
 */
export class ForbiddenKeys {
  static of(keys: readonly ForbiddenKey[]): ForbiddenKeys {
    return new ForbiddenKeys(new Map(keys.map((entry) => [publicKeyThumbprint(publicJwkOf(entry.key)), entry.label])));
  }

  private constructor(private readonly labels: ReadonlyMap<string, string>) {}

  /** A copy with more keys (the account key of one ACME request, on top of the CA's). */
  with(keys: readonly ForbiddenKey[]): ForbiddenKeys {
    return new ForbiddenKeys(new Map([...this.labels, ...ForbiddenKeys.of(keys).labels]));
  }

  /** Throws CaError('key_reused') naming the key when `jwk` (a subject key's public JWK) is in the set. */
  check(jwk: JsonWebKey): void {
    const label = this.labels.get(publicKeyThumbprint(jwk));
    if (label !== undefined) {
      throw new CaError('key_reused', `the requested public key is ${label}; a certificate needs a key of its own: generate a new key`, label);
    }
  }

  /** The same refusal as one of a CsrPolicy's `checks`, so a door adds it to its intake. */
  asCsrCheck(): CsrCheck {
    return ({ key }) => this.check(key.jwk);
  }

  get size(): number {
    return this.labels.size;
  }
}

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA or EC public key, computed from the JWK's
 * required members only. Leading zero bytes of n and e are dropped first (RFC 7518 §6.3.1 forbids
 * them, but a client may send them anyway); EC coordinates are fixed-length for the curve already.
 */
export function publicKeyThumbprint(jwk: JsonWebKey): string {
  const canonical =
    jwk.kty === 'RSA'
      ? `{"e":"${minimal(jwk.e)}","kty":"RSA","n":"${minimal(jwk.n)}"}`
      : jwk.kty === 'EC'
        ? `{"crv":"${text(jwk.crv)}","kty":"EC","x":"${text(jwk.x)}","y":"${text(jwk.y)}"}`
        : unsupported(jwk.kty);
  return createHash('sha256').update(canonical).digest('base64url');
}

function publicJwkOf(key: ForbiddenKey['key']): JsonWebKey {
  return publicKeyObjectOf(key).export({ format: 'jwk' });
}

function publicKeyObjectOf(key: ForbiddenKey['key']): KeyObject {
  if (typeof key === 'string') return createPublicKey(key);
  if (key instanceof Uint8Array) return createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' });
  if (isKeyObject(key)) return key.type === 'public' ? key : createPublicKey(key);
  return createPublicKey({ key, format: 'jwk' });
}

function isKeyObject(key: KeyObject | JsonWebKey): key is KeyObject {
  return typeof (key as KeyObject).export === 'function' && typeof (key as KeyObject).type === 'string';
}

function minimal(value: unknown): string {
  const bytes = Buffer.from(text(value), 'base64url');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start).toString('base64url');
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new CaError('key_unsupported', 'the public key is missing a required JWK member');
  return value;
}

function unsupported(kty: unknown): never {
  throw new CaError('key_unsupported', `${String(kty)} keys have no thumbprint here; only RSA and EC keys are supported`);
}
