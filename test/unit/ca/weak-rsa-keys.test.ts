import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first
import { readFileSync } from 'node:fs';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaError, CSR_PROFILES, Ipv4RangeSet, validateCsr, type CsrPolicy } from '../../../src/ca/index.js';
import { fermatFactor } from '../../../src/ca/key-quality/fermat-factorisation.js';
import { integerSquareRoot } from '../../../src/ca/key-quality/integer-square-root.js';
import { hasRocaFingerprint, ROCA_PRIMES, rocaFalsePositiveLog2 } from '../../../src/ca/key-quality/roca-fingerprint.js';
import { primesBelow } from '../../../src/ca/key-quality/small-primes.js';
import { buildCsr, readCsrFixture, testKey } from '../../support/csr-factory.js';
import { fermatCloseKey, nextPrime, rocaStructuredKey, smallFactorKey, type WeakRsaKey } from '../../support/weak-rsa-keys.js';

/** Room for making primes on a busy machine; nothing here asserts a time. */
const KEY_GENERATION_TIMEOUT_MS = 60_000;
const POLICY: CsrPolicy = { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.smsgate };

function refusal(pem: string): CaError {
  try {
    validateCsr(pem, POLICY);
  } catch (error) {
    if (error instanceof CaError) return error;
    throw error;
  }
  throw new Error('the CSR was accepted');
}

/** The CSR is well formed and its signature verifies, per an independent parser: only the key is wrong. */
async function expectCorrectlySigned(pem: string): Promise<void> {
  const request = new Pkcs10CertificateRequest(pem);
  expect(await request.verify()).toBe(true);
}

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/roca/${name}`, import.meta.url), 'utf8').trim();
const residuesOf = (n: bigint): number[] => ROCA_PRIMES.map((prime) => Number(n % BigInt(prime)));

describe('weak RSA keys in real, correctly signed CSRs are refused with the reason', () => {
  const cases: ReadonlyArray<readonly [string, () => WeakRsaKey, RegExp, string]> = [
    ['a modulus divisible by 3', () => smallFactorKey(3n), /the RSA modulus has a small factor 3\b/, '3'],
    ['a modulus divisible by 997, the largest prime below 1,000', () => smallFactorKey(997n), /small factor 997\b/, '997'],
    ['Fermat-close primes (|p − q| ≈ 2^20)', () => fermatCloseKey(20), /two primes too close together.*Fermat/, 'fermat'],
    ['a ROCA-structured modulus (k·M + 65537^a mod M primes)', rocaStructuredKey, /ROCA fingerprint.*CVE-2017-15361/, 'roca'],
  ];

  it.each(cases)('%s', async (_name, makeKey, message, value) => {
    const key = makeKey();
    expect(key.p * key.q).toBeGreaterThan(1n << 2047n);
    const { pem } = buildCsr({ key, ips: ['192.168.1.10'] });
    await expectCorrectlySigned(pem);
    const error = refusal(pem);
    expect({ reason: error.reason, value: error.value, class: error.errorClass }).toEqual({ reason: 'key_weak', value, class: 'policy' });
    expect(error.message).toMatch(message);
  }, KEY_GENERATION_TIMEOUT_MS);

  it.each([
    ['P-256 (generated)', () => buildCsr({ key: testKey('p256') }).pem],
    ['P-384 (generated)', () => buildCsr({ key: testKey('p384') }).pem],
    ['RSA 2048 (generated)', () => buildCsr({ key: testKey('rsa2048') }).pem],
    ['RSA 3072 (openssl)', () => readCsrFixture('rsa3072-10.20.30.40.csr')],
    ['RSA 4096 (openssl)', () => readCsrFixture('rsa4096-192.168.200.1.csr')],
    ['the SMSGate client CSR', () => readCsrFixture('smsgate-cli-192.168.1.10.csr')],
  ])('a normal key passes: %s', (_name, pem) => {
    expect(validateCsr(pem(), POLICY).key.kind).toMatch(/^(rsa|ec)$/);
  });
});

describe('ROCA fingerprint: the discrete-log test', () => {
  it('flags the ROCA authors\u2019 positive test modulus and clears their negative one', () => {
    expect(hasRocaFingerprint(residuesOf(BigInt(`0x${fixture('positive-2048.hex')}`)))).toBe(true);
    expect(hasRocaFingerprint(residuesOf(BigInt(`0x${fixture('negative-2048.hex')}`)))).toBe(false);
  });

  it('clears moduli whose residues each look fingerprinted but admit no common logarithm', () => {
    const moduli = fixture('residue-only-1024.txt').split('\n').map(BigInt);
    expect(moduli).toHaveLength(2);
    for (const n of moduli) expect(hasRocaFingerprint(residuesOf(n))).toBe(false);
  });

  it('clears 200 moduli of freshly generated keys; a random modulus passes with probability below 2^-150', () => {
    expect(rocaFalsePositiveLog2()).toBeLessThan(-150);
    const moduli = fc.sample(fc.bigInt({ min: 1n << 2047n, max: (1n << 2048n) - 1n }), { numRuns: 200, seed: 7 });
    expect(moduli.filter((n) => hasRocaFingerprint(residuesOf(n)))).toEqual([]);
  });

  it('flags every product of two ROCA-structured primes it is given (3 keys)', () => {
    for (let i = 0; i < 3; i++) {
      const key = rocaStructuredKey();
      expect(hasRocaFingerprint(residuesOf(key.p * key.q))).toBe(true);
    }
  }, KEY_GENERATION_TIMEOUT_MS);
});

describe('Fermat factorisation, 100 rounds', () => {
  it('finds primes that differ by about 2^515 and not ones that differ by about 2^530', () => {
    const p = nextPrime((1n << 1023n) | (1n << 1022n) | 12345n);
    const close = nextPrime(p + (1n << 515n));
    const far = nextPrime(p + (1n << 530n));
    expect(fermatFactor(p * close, 100)).toEqual({ p, q: close });
    expect(fermatFactor(p * far, 100)).toBeUndefined();
  }, KEY_GENERATION_TIMEOUT_MS);

  it('finds a square modulus (p = q) in the first round', () => {
    const p = nextPrime(1n << 1023n);
    expect(fermatFactor(p * p, 1)).toEqual({ p, q: p });
  });
});

describe('helpers', () => {
  it('integerSquareRoot is ⌊√n⌋ for any n up to 4096 bits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 4096n) - 1n }), (n) => {
        const root = integerSquareRoot(n);
        return root * root <= n && (root + 1n) * (root + 1n) > n;
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('primesBelow(1000) is the 168 primes, ending at 997', () => {
    const primes = primesBelow(1000);
    expect({ count: primes.length, first: primes.slice(0, 5), last: primes.at(-1) }).toEqual({ count: 168, first: [2, 3, 5, 7, 11], last: 997 });
  });
});
