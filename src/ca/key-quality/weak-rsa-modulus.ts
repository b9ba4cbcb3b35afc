import { Buffer } from 'node:buffer';
import { CaError } from '../errors.js';
import { fermatFactor } from './fermat-factorisation.js';
import { bitLength } from './integer-square-root.js';
import { hasRocaFingerprint, ROCA_PRIMES } from './roca-fingerprint.js';
import { primesBelow, SmallPrimeResidues } from './small-primes.js';

/** Trial division bound: every prime below it (Boulder uses 752; the Baseline Requirements suggest "no factors smaller than 752"). */
export const SMALL_PRIME_BOUND = 1000;
/** Rounds of Fermat factorisation (the Baseline Requirements ask for at least 100). */
export const FERMAT_ROUNDS = 100;

const SMALL_PRIMES = primesBelow(SMALL_PRIME_BOUND);
const RESIDUES = new SmallPrimeResidues(SMALL_PRIMES);
const ROCA_INDEXES = ROCA_PRIMES.map((prime) => SMALL_PRIMES.indexOf(prime));
const NEW_KEY = 'generate a new key';

/**
 * The checks a CA runs on an RSA modulus before certifying it, each for a way the key is known to be
 * factorable: a small prime factor, the ROCA fingerprint of Infineon's RSALib, primes close enough
 * for Fermat's method. Throws CaError('key_weak') naming which; the modulus is public, so the
 * early exits leak nothing.
 */
export function checkRsaModulus(modulus: Uint8Array): void {
  const n = BigInt(`0x${Buffer.from(modulus.buffer, modulus.byteOffset, modulus.byteLength).toString('hex')}`);
  const residues = RESIDUES.of(n);
  const smallFactor = SMALL_PRIMES.find((_prime, index) => residues[index] === 0);
  if (smallFactor !== undefined) {
    throw new CaError('key_weak', `the RSA modulus has a small factor ${smallFactor}, so anyone can factor it; ${NEW_KEY}`, String(smallFactor));
  }
  if (hasRocaFingerprint(ROCA_INDEXES.map((index) => residues[index]!))) {
    throw new CaError(
      'key_weak',
      `the RSA key carries the ROCA fingerprint (CVE-2017-15361: made by Infineon's RSALib, it can be factored); ${NEW_KEY} with updated firmware or software`,
      'roca',
    );
  }
  const factors = fermatFactor(n, FERMAT_ROUNDS);
  if (factors !== undefined) {
    const gap = bitLength(factors.q - factors.p);
    throw new CaError(
      'key_weak',
      `the RSA modulus is the product of two primes too close together (they differ by a ${gap}-bit number): Fermat's method factors it at once; ${NEW_KEY}`,
      'fermat',
    );
  }
}
