import { createPublicKey } from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';
import { AcmeProblem } from '../problems.js';
import type { AccountKeyAlgorithm } from './flattened-jws.js';

/** A public account key reduced to its RFC 7638 required members, the form we store and compare. */
export type PublicJwk =
  | { readonly kty: 'RSA'; readonly n: string; readonly e: string }
  | { readonly kty: 'EC'; readonly crv: 'P-256' | 'P-384'; readonly x: string; readonly y: string };

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const B64 = /^[A-Za-z0-9_-]+$/;

/** Checks a `jwk` header value is an acceptable public key and returns its canonical form. */
export function canonicalPublicJwk(value: unknown): PublicJwk {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badKey('the "jwk" header must be a JSON object');
  const jwk = value as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw badKey('the "jwk" header carries private key material');
  if (jwk['kty'] === 'RSA') return canonicalRsa(jwk);
  if (jwk['kty'] === 'EC') return canonicalEc(jwk);
  throw badKey(`account key type ${JSON.stringify(jwk['kty'])} is not accepted; use RSA (2048-4096 bits) or EC P-256/P-384`);
}

function canonicalRsa(jwk: Record<string, unknown>): PublicJwk {
  const { n, e } = jwk;
  if (typeof n !== 'string' || typeof e !== 'string' || !B64.test(n) || !B64.test(e)) throw badKey('RSA "jwk" needs base64url "n" and "e"');
  const modulus = Buffer.from(n, 'base64url');
  const bits = (modulus.length - (modulus[0] === 0 ? 1 : 0)) * 8;
  if (bits < 2048 || bits > 4096) throw badKey(`RSA account keys must have 2048 to 4096 bits; this one has about ${bits}`);
  if (Buffer.from(e, 'base64url').toString('hex') !== '010001') throw badKey('RSA account keys must use the public exponent 65537');
  return { kty: 'RSA', n, e };
}

function canonicalEc(jwk: Record<string, unknown>): PublicJwk {
  const { crv, x, y } = jwk;
  if (crv !== 'P-256' && crv !== 'P-384') throw badKey(`EC account keys must be on P-256 or P-384, not ${JSON.stringify(crv)}`);
  if (typeof x !== 'string' || typeof y !== 'string' || !B64.test(x) || !B64.test(y)) throw badKey('EC "jwk" needs base64url "x" and "y"');
  const size = crv === 'P-256' ? 32 : 48;
  if (Buffer.from(x, 'base64url').length !== size || Buffer.from(y, 'base64url').length !== size) throw badKey(`EC ${crv} coordinates must be ${size} bytes`);
  return { kty: 'EC', crv, x, y };
}

/** The algorithm a key may sign with; a mismatch with the JWS `alg` is a malformed request. */
export function algorithmsFor(jwk: PublicJwk): readonly AccountKeyAlgorithm[] {
  if (jwk.kty === 'RSA') return ['RS256'];
  return jwk.crv === 'P-256' ? ['ES256'] : ['ES384'];
}

export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  const { calculateJwkThumbprint } = await import('jose'); // loaded with the first ACME request, not at start
  return calculateJwkThumbprint(jwk, 'sha256');
}

/** DER SubjectPublicKeyInfo of a JWK, to compare an account key with a certificate or CSR key. */
export function jwkToSpki(jwk: PublicJwk): Buffer {
  return createPublicKey({ key: jwk as JWK & Record<string, string>, format: 'jwk' }).export({ type: 'spki', format: 'der' });
}

/**
 * Whether a DER SubjectPublicKeyInfo holds this account key: its EC point (04 || x || y) or RSA
 * modulus appears in it. Cheaper than re-encoding the JWK, and exact for DER (the bytes cannot
 * occur by accident).
 */
export function spkiHoldsKey(spki: Uint8Array, jwk: PublicJwk): boolean {
  const needle =
    jwk.kty === 'EC'
      ? Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')])
      : Buffer.from(jwk.n, 'base64url').subarray(Buffer.from(jwk.n, 'base64url')[0] === 0 ? 1 : 0);
  return Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).includes(needle);
}

export function sameKey(a: PublicJwk, b: PublicJwk): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function badKey(detail: string): AcmeProblem {
  return new AcmeProblem('badPublicKey', detail);
}

/** Imported verification keys, keyed by thumbprint and algorithm, so hot accounts skip the import. */
export class VerificationKeyCache {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor(private readonly capacity = 4096) {}

  get(thumbprint: string, jwk: PublicJwk, alg: AccountKeyAlgorithm): Promise<CryptoKey> {
    const cacheKey = `${alg}:${thumbprint}`;
    const cached = this.keys.get(cacheKey);
    if (cached) {
      this.keys.delete(cacheKey);
      this.keys.set(cacheKey, cached);
      return cached;
    }
    const imported = import('jose').then(({ importJWK }) => importJWK(jwk as JWK, alg) as Promise<CryptoKey>);
    imported.catch(() => this.keys.delete(cacheKey));
    this.keys.set(cacheKey, imported);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.keys().next().value!);
    return imported;
  }
}
