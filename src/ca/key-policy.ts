import type { JsonWebKey } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { DerReader, type DerContext } from './der-reader.js';
import { TAG } from './der-tags.js';
import { CaError } from './errors.js';
import { checkRsaModulus } from './key-quality/weak-rsa-modulus.js';
import { describeOid, OID } from './oids.js';
import { readSubjectPublicKeyInfo } from './subject-public-key-info.js';
import type { PublicKeyKind, SubjectKey } from './types.js';

/** A subject key that passed the policy, with its JWK form (node:crypto imports a JWK much faster than DER). */
export interface InspectedSubjectKey extends SubjectKey {
  readonly jwk: JsonWebKey;
}

const RSA_SIZES: ReadonlySet<number> = new Set([2048, 3072, 4096]);
const WEAK_CURVES: ReadonlySet<string> = new Set([OID.p192, OID.p224]);
const CURVES: Readonly<Record<string, { curve: 'P-256' | 'P-384'; size: number }>> = {
  [OID.p256]: { curve: 'P-256', size: 32 },
  [OID.p384]: { curve: 'P-384', size: 48 },
};
const ADVICE = 'use RSA 2048/3072/4096 (e=65537) or ECDSA P-256/P-384';
const SPKI_CONTEXT: DerContext = { reason: 'key_unsupported', what: 'subject public key' };

/** RSA 2048/3072/4096 with e=65537, or ECDSA P-256/P-384 on a named curve with an uncompressed point. */
export function checkSubjectKey(spkiDer: Uint8Array): SubjectKey {
  const { spki, key } = inspectSubjectKey(spkiDer);
  return { spki, key };
}

export function inspectSubjectKey(spkiDer: Uint8Array): InspectedSubjectKey {
  const info = readSubjectPublicKeyInfo(spkiDer, SPKI_CONTEXT);
  if (info.algorithm === OID.rsaEncryption) {
    info.parameters.expect(TAG.NULL, 'rsaEncryption parameters (NULL)');
    info.parameters.finish('rsaEncryption parameters');
    return { spki: spkiDer, ...inspectRsa(info.publicKey) };
  }
  if (info.algorithm === OID.ecPublicKey) {
    return { spki: spkiDer, ...inspectEc(info.parameters, info.publicKey) };
  }
  throw new CaError('key_unsupported', `${describeOid(info.algorithm)} keys are not supported; ${ADVICE}`, info.algorithm);
}

function inspectRsa(keyBits: Uint8Array): { key: PublicKeyKind; jwk: JsonWebKey } {
  const body = new DerReader(keyBits, { reason: 'key_unsupported', what: 'RSA public key' });
  const rsa = body.enter(TAG.SEQUENCE, 'RSAPublicKey');
  body.finish('RSAPublicKey');
  const modulus = positive(rsa.integer('modulus'), 'modulus');
  const exponent = positive(rsa.integer('public exponent'), 'public exponent');
  rsa.finish('RSAPublicKey');
  const bits = bitLength(modulus);
  if (bits < 2048) {
    throw new CaError('key_weak', `an RSA key of ${bits} bits is too weak; ${ADVICE}`, String(bits));
  }
  if (!RSA_SIZES.has(bits)) {
    throw new CaError('key_unsupported', `an RSA key of ${bits} bits is not supported; ${ADVICE}`, String(bits));
  }
  checkExponent(exponent);
  if ((modulus[modulus.length - 1]! & 1) === 0) {
    throw new CaError('key_unsupported', 'the RSA modulus is even, so it is not a valid RSA key');
  }
  checkRsaModulus(modulus);
  const key: PublicKeyKind = { kind: 'rsa', bits: bits as 2048 | 3072 | 4096 };
  return { key, jwk: { kty: 'RSA', n: base64url(modulus), e: base64url(exponent) } };
}

function checkExponent(exponent: Uint8Array): void {
  const value = exponent.length <= 6 ? exponent.reduce((sum, byte) => sum * 256 + byte, 0) : Number.POSITIVE_INFINITY;
  if (value === 65537) return;
  const text = Number.isFinite(value) ? String(value) : `0x${Buffer.from(exponent).toString('hex')}`;
  throw new CaError(value < 65537 ? 'key_weak' : 'key_unsupported', `RSA public exponent ${text} is not allowed; only 65537 is`, text);
}

function inspectEc(algorithm: DerReader, keyBits: Uint8Array): { key: PublicKeyKind; jwk: JsonWebKey } {
  const curveOid = namedCurve(algorithm);
  const curve = CURVES[curveOid];
  if (curve === undefined) {
    const reason = WEAK_CURVES.has(curveOid) ? 'key_weak' : 'key_unsupported';
    throw new CaError(reason, `ECDSA keys on curve ${describeOid(curveOid)} are not supported; ${ADVICE}`, curveOid);
  }
  const form = keyBits[0];
  if (form === 0x02 || form === 0x03) {
    throw new CaError('key_unsupported', 'compressed EC points are not supported; encode the public key uncompressed');
  }
  if (form !== 0x04 || keyBits.length !== 1 + 2 * curve.size) {
    throw new CaError('key_unsupported', `the ${curve.curve} public key is not an uncompressed point of ${1 + 2 * curve.size} bytes`);
  }
  const x = keyBits.subarray(1, 1 + curve.size);
  const y = keyBits.subarray(1 + curve.size);
  return { key: { kind: 'ec', curve: curve.curve }, jwk: { kty: 'EC', crv: curve.curve, x: base64url(x), y: base64url(y) } };
}

function namedCurve(algorithm: DerReader): string {
  const tag = algorithm.peekTag();
  if (tag === TAG.SEQUENCE) {
    throw new CaError('key_unsupported', 'explicit elliptic-curve parameters are not supported; use a named curve (P-256 or P-384)');
  }
  if (tag !== TAG.OID) {
    throw new CaError('key_unsupported', 'the EC key does not name its curve; use a named curve (P-256 or P-384)');
  }
  const oid = algorithm.oid('named curve');
  algorithm.finish('EC key parameters');
  return oid;
}

function positive(content: Uint8Array, name: string): Uint8Array {
  if ((content[0]! & 0x80) !== 0) {
    throw new CaError('key_unsupported', `the RSA ${name} is negative`);
  }
  const stripped = content[0] === 0 ? content.subarray(1) : content;
  if (stripped.length === 0) {
    throw new CaError('key_unsupported', `the RSA ${name} is zero`);
  }
  return stripped;
}

function bitLength(magnitude: Uint8Array): number {
  return (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0]!));
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
