import { describe, expect, it } from 'vitest';
import { CaError } from '../../../src/ca/errors.js';
import { checkSubjectKey, inspectSubjectKey } from '../../../src/ca/key-policy.js';
import { parseCsr } from '../../../src/ca/csr.js';
import { concat, derBitString, derInteger, derNull, derOid, readCsrFixture, seq, testKey } from '../../support/csr-factory.js';

const RSA = '1.2.840.113549.1.1.1';
const EC = '1.2.840.10045.2.1';
const P256 = '1.2.840.10045.3.1.7';

function refusal(spki: Uint8Array): { reason: string; message: string; value: string | undefined } {
  try {
    checkSubjectKey(spki);
  } catch (error) {
    if (error instanceof CaError) return { reason: error.reason, message: error.message, value: error.value };
    throw error;
  }
  throw new Error('the key was accepted');
}

const rsaSpki = (modulus: bigint, exponent: bigint | number = 65537, parameters: Uint8Array[] = [derNull()]): Uint8Array =>
  seq(seq(derOid(RSA), ...parameters), derBitString(seq(derInteger(modulus), derInteger(exponent))));
const ecSpki = (curve: Uint8Array, point: Uint8Array): Uint8Array => seq(seq(derOid(EC), curve), derBitString(point));
const modulus2048 = (1n << 2047n) + 12345n * 2n + 1n;

describe('checkSubjectKey', () => {
  it.each([
    ['p256', { kind: 'ec', curve: 'P-256' }],
    ['p384', { kind: 'ec', curve: 'P-384' }],
    ['rsa2048', { kind: 'rsa', bits: 2048 }],
  ] as const)('accepts %s and hands back the very same SPKI bytes', (kind, expected) => {
    const { spki } = testKey(kind);
    const result = checkSubjectKey(spki);
    expect(result.key).toEqual(expected);
    expect(result.spki).toBe(spki);
  });

  it('exposes a JWK of the same key for fast import', () => {
    const key = testKey('p256');
    const jwk = key.privateKey.export({ format: 'jwk' });
    expect(inspectSubjectKey(key.spki).jwk).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
  });

  it.each([
    [3072, 'rsa3072-10.20.30.40.csr'],
    [4096, 'rsa4096-192.168.200.1.csr'],
  ])('accepts RSA %i (a key openssl made)', (bits, fixture) => {
    expect(checkSubjectKey(parseCsr(readCsrFixture(fixture)).spki).key).toEqual({ kind: 'rsa', bits });
  });

  it('refuses a modulus of the right size built by hand as 2^3071 + 1, which 3 divides', () => {
    expect(refusal(rsaSpki((1n << 3071n) + 1n))).toMatchObject({ reason: 'key_weak', value: '3' });
  });

  it.each([
    ['RSA 1024', rsaSpki((1n << 1023n) + 1n), 'key_weak', '1024'],
    ['RSA 2047', rsaSpki((1n << 2046n) + 1n), 'key_weak', '2047'],
    ['RSA 2049', rsaSpki((1n << 2048n) + 1n), 'key_unsupported', '2049'],
    ['RSA 8192', rsaSpki((1n << 8191n) + 1n), 'key_unsupported', '8192'],
    ['RSA e=3', rsaSpki(modulus2048, 3), 'key_weak', '3'],
    ['RSA e=17', rsaSpki(modulus2048, 17), 'key_weak', '17'],
    ['RSA e=65539', rsaSpki(modulus2048, 65539), 'key_unsupported', '65539'],
    ['RSA with a 9-byte exponent', rsaSpki(modulus2048, (1n << 64n) + 1n), 'key_unsupported', '0x010000000000000001'],
  ])('refuses %s with %s naming %s', (_name, spki, reason, value) => {
    expect(refusal(spki)).toMatchObject({ reason, value });
  });

  it.each([
    ['an even RSA modulus', rsaSpki(1n << 2047n), 'even'],
    ['a negative RSA modulus', seq(seq(derOid(RSA), derNull()), derBitString(seq(Uint8Array.of(0x02, 0x01, 0x80), derInteger(65537)))), 'negative'],
    ['RSA without NULL parameters', rsaSpki(modulus2048, 65537, []), 'NULL'],
    ['RSA with extra bytes in RSAPublicKey', seq(seq(derOid(RSA), derNull()), derBitString(concat(seq(derInteger(modulus2048), derInteger(65537)), derNull()))), 'trailing'],
    ['SPKI with trailing bytes', concat(testKey('p256').spki, derNull()), 'trailing'],
    ['EC point of the wrong length', ecSpki(derOid(P256), testKey('p256').spki.subarray(-64)), 'uncompressed point of 65 bytes'],
    ['EC key with implicitCA (NULL) parameters', ecSpki(derNull(), testKey('p256').spki.subarray(-65)), 'does not name its curve'],
    ['a key BIT STRING with unused bits', seq(seq(derOid(EC), derOid(P256)), Uint8Array.of(0x03, 0x02, 0x01, 0x02)), 'whole number of bytes'],
    ['X25519', seq(seq(derOid('1.3.101.110')), derBitString(new Uint8Array(32))), 'X25519 (1.3.101.110)'],
    ['Ed448', seq(seq(derOid('1.3.101.113')), derBitString(new Uint8Array(57))), 'Ed448'],
    ['an unknown algorithm', seq(seq(derOid('1.2.3.4.5')), derBitString(new Uint8Array(8))), '1.2.3.4.5 keys are not supported'],
    ['an RSASSA-PSS key', seq(seq(derOid('1.2.840.113549.1.1.10')), derBitString(new Uint8Array(8))), 'RSASSA-PSS'],
    ['brainpoolP256r1', ecSpki(derOid('1.3.36.3.3.2.8.1.1.7'), testKey('p256').spki.subarray(-65)), 'brainpoolP256r1'],
  ])('refuses %s as key_unsupported', (_name, spki, message) => {
    const { reason, message: text } = refusal(spki);
    expect(reason).toBe('key_unsupported');
    expect(text).toContain(message);
  });

  it.each([
    ['P-192', '1.2.840.10045.3.1.1'],
    ['P-224', '1.3.132.0.33'],
  ])('refuses the small curve %s as key_weak', (name, oid) => {
    expect(refusal(ecSpki(derOid(oid), new Uint8Array(49)))).toMatchObject({ reason: 'key_weak', value: oid, message: expect.stringContaining(name) });
  });

  it('says the SPKI is not even DER when it is not', () => {
    expect(refusal(Uint8Array.of(0x30, 0x80, 0x00, 0x00)).message).toContain('indefinite length');
  });
});
