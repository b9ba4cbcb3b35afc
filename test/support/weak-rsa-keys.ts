import { checkPrimeSync, createPrivateKey, generatePrimeSync, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import type { TestKey } from './csr-factory.js';

/**
 * Real RSA keys with the weaknesses a CA must refuse, made from chosen primes: the private key is a
 * JWK with n, e, d, p, q, dp, dq, qi, so node:crypto signs with it like any other key and the CSRs
 * built from these keys carry valid signatures.
 */
const E = 65537n;

export interface WeakRsaKey extends TestKey {
  readonly p: bigint;
  readonly q: bigint;
}

export function rsaKeyFromPrimes(p: bigint, q: bigint): WeakRsaKey {
  const n = p * q;
  const lambda = lcm(p - 1n, q - 1n);
  const d = modInverse(E, lambda);
  const jwk = {
    kty: 'RSA',
    n: b64(n),
    e: b64(E),
    d: b64(d),
    p: b64(p),
    q: b64(q),
    dp: b64(d % (p - 1n)),
    dq: b64(d % (q - 1n)),
    qi: b64(modInverse(q, p)),
  };
  const privateKey: KeyObject = createPrivateKey({ key: jwk, format: 'jwk' });
  const spki = Uint8Array.from(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  return { kind: 'rsa2048', privateKey, spki, p, q };
}

/** n = factor·q with n exactly `bits` long, q a prime from OpenSSL's generator (which sets q's top two bits). */
export function smallFactorKey(factor = 3n, bits = 2048): WeakRsaKey {
  const low = (1n << BigInt(bits - 1)) / factor + 1n;
  const high = (1n << BigInt(bits)) / factor;
  const size = low.toString(2).length;
  for (;;) {
    const q = generatePrimeSync(size, { bigint: true });
    if (q >= low && q < high) return rsaKeyFromPrimes(factor, q);
  }
}

/** p, q two 1024-bit primes |q − p| ≈ 2^gapBits apart. */
export function fermatCloseKey(gapBits = 20): WeakRsaKey {
  const p = nextPrime(randomWithTopBits(1024));
  const q = nextPrime(p + (1n << BigInt(gapBits)));
  return rsaKeyFromPrimes(p, q);
}

/**
 * A 2048-bit key with ROCA's structure (Nemec et al., CCS 2017, §2): each prime is k·M + (65537^a mod M)
 * with M the product of the first 126 primes (the primorial RSALib used for 1024-bit primes) and
 * k, a random. Candidates are tried until both are prime and n is exactly 2048 bits long.
 */
export function rocaStructuredKey(): WeakRsaKey {
  const p = rocaPrime();
  for (;;) {
    const q = rocaPrime();
    if (q !== p && (p * q).toString(2).length === 2048) return rsaKeyFromPrimes(p, q);
  }
}

export const ROCA_PRIMORIAL = firstPrimes(126).reduce((product, prime) => product * BigInt(prime), 1n);
const ROCA_GENERATOR_ORDER_BOUND = 1n << 60n;

function rocaPrime(): bigint {
  const kBits = 1024 - ROCA_PRIMORIAL.toString(2).length;
  for (;;) {
    const k = (1n << BigInt(kBits - 1)) | (1n << BigInt(kBits - 2)) | randomBelow(1n << BigInt(kBits - 2));
    const a = randomBelow(ROCA_GENERATOR_ORDER_BOUND);
    const candidate = k * ROCA_PRIMORIAL + modPow(65537n, a, ROCA_PRIMORIAL);
    if (candidate.toString(2).length === 1024 && checkPrimeSync(candidate)) return candidate;
  }
}

export function nextPrime(start: bigint): bigint {
  let candidate = start | 1n;
  while (!checkPrimeSync(candidate)) candidate += 2n;
  return candidate;
}

function randomWithTopBits(bits: number): bigint {
  return (1n << BigInt(bits - 1)) | (1n << BigInt(bits - 2)) | randomBelow(1n << BigInt(bits - 2));
}

export function randomBelow(bound: bigint): bigint {
  const bytes = Math.ceil(bound.toString(16).length / 2) + 8;
  return BigInt(`0x${randomBytes(bytes).toString('hex')}`) % bound;
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let power = base % modulus;
  for (let rest = exponent; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = (result * power) % modulus;
    power = (power * power) % modulus;
  }
  return result;
}

function modInverse(value: bigint, modulus: bigint): bigint {
  let [oldR, r] = [value % modulus, modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % modulus) + modulus) % modulus;
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

function gcd(a: bigint, b: bigint): bigint {
  return b === 0n ? a : gcd(b, a % b);
}

function firstPrimes(count: number): number[] {
  const primes: number[] = [];
  for (let candidate = 2; primes.length < count; candidate++) {
    if (primes.every((prime) => candidate % prime !== 0)) primes.push(candidate);
  }
  return primes;
}

function b64(value: bigint): string {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url');
}
