import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { ParsedCsr } from './csr.js';
import { DerReader } from './der-reader.js';
import { TAG } from './der-tags.js';
import { CaError } from './errors.js';
import type { InspectedSubjectKey } from './key-policy.js';
import { describeOid, OID } from './oids.js';
import type { PublicKeyKind } from './types.js';

export interface SignatureScheme {
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly family: PublicKeyKind['kind'];
}

const ACCEPTED: Readonly<Record<string, SignatureScheme>> = {
  [OID.sha256WithRsaEncryption]: { hash: 'sha256', family: 'rsa' },
  [OID.sha384WithRsaEncryption]: { hash: 'sha384', family: 'rsa' },
  [OID.sha512WithRsaEncryption]: { hash: 'sha512', family: 'rsa' },
  [OID.ecdsaWithSha256]: { hash: 'sha256', family: 'ec' },
  [OID.ecdsaWithSha384]: { hash: 'sha384', family: 'ec' },
  [OID.ecdsaWithSha512]: { hash: 'sha512', family: 'ec' },
};
const DER_NULL = [TAG.NULL, 0x00];
const CURVE_BYTES = { 'P-256': 32, 'P-384': 48 } as const;

/** sha256/384/512 with RSA PKCS#1 v1.5 or ECDSA, matching the key; SHA-1, MD5, PSS and the rest are refused. */
export function checkSignatureAlgorithm(algorithm: ParsedCsr['signatureAlgorithm'], key: PublicKeyKind): SignatureScheme {
  const scheme = ACCEPTED[algorithm.oid];
  if (scheme === undefined) {
    throw new CaError(
      'signature_invalid',
      `the CSR is signed with ${describeOid(algorithm.oid)}, which is not accepted; sign with SHA-256, SHA-384 or SHA-512 (RSA PKCS#1 v1.5 or ECDSA)`,
      algorithm.oid,
    );
  }
  const parameters = algorithm.parameters;
  const parametersOk = parameters === undefined || (scheme.family === 'rsa' && parameters.length === 2 && parameters.every((byte, i) => byte === DER_NULL[i]));
  if (!parametersOk) {
    throw new CaError('signature_invalid', `the parameters of signature algorithm ${describeOid(algorithm.oid)} are not allowed`, algorithm.oid);
  }
  if (scheme.family !== key.kind) {
    throw new CaError('signature_invalid', `the CSR is signed with ${describeOid(algorithm.oid)}, which does not fit its ${key.kind.toUpperCase()} key`, algorithm.oid);
  }
  return scheme;
}

/** Proof of possession: the signature over the exact CertificationRequestInfo bytes verifies with the CSR's own key. */
export function verifyCsrSignature(csr: ParsedCsr, key: InspectedSubjectKey): void {
  const scheme = checkSignatureAlgorithm(csr.signatureAlgorithm, key.key);
  if (key.key.kind === 'ec') {
    checkEcdsaSignatureValue(csr.signature, CURVE_BYTES[key.key.curve]);
  }
  const publicKey = importKey(key);
  let valid = false;
  try {
    valid = verify(scheme.hash, csr.info, publicKey, csr.signature);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new CaError('signature_invalid', 'the CSR signature does not verify with the public key it carries (proof of possession failed)');
  }
}

// Imported from the JWK form built by the key policy, not from the SPKI DER: same key (the SPKI
// was strictly parsed), but OpenSSL's DER decoder costs ~90 µs per key where the JWK path costs 4-50.
function importKey(key: InspectedSubjectKey): KeyObject {
  try {
    return createPublicKey({ key: key.jwk, format: 'jwk' });
  } catch {
    throw new CaError('key_unsupported', 'the public key cannot be loaded (for EC: the point is not on the curve)');
  }
}

function checkEcdsaSignatureValue(signature: Uint8Array, size: number): void {
  const reader = new DerReader(signature, { reason: 'signature_invalid', what: 'ECDSA signature' });
  const value = reader.enter(TAG.SEQUENCE, 'ECDSA-Sig-Value');
  reader.finish('ECDSA signature');
  for (const name of ['r', 's']) {
    const content = value.integer(name);
    const magnitude = content[0] === 0 ? content.subarray(1) : content;
    if ((content[0]! & 0x80) !== 0 || magnitude.length === 0 || magnitude.length > size) {
      value.fail(`${name} is out of range`);
    }
  }
  value.finish('ECDSA-Sig-Value');
}
