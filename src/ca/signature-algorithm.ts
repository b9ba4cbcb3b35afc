import type { KeyObject } from 'node:crypto';
import { nullValue, oid, sequence } from './der.js';
import { OID } from './oids.js';
import type { PublicKeyKind } from './types.js';

/** How a CA key signs: the digest for crypto.sign and the AlgorithmIdentifier DER it is written as. */
export interface SignatureAlgorithm {
  readonly hash: 'sha256' | 'sha384';
  readonly identifierDer: Uint8Array;
}

const ECDSA_SHA256: SignatureAlgorithm = { hash: 'sha256', identifierDer: sequence(oid(OID.ecdsaWithSha256)) };
const ECDSA_SHA384: SignatureAlgorithm = { hash: 'sha384', identifierDer: sequence(oid(OID.ecdsaWithSha384)) };
// RFC 4055 §5: the parameters of the RSA PKCS#1 v1.5 signature algorithms are an explicit NULL.
const RSA_SHA256: SignatureAlgorithm = { hash: 'sha256', identifierDer: sequence(oid(OID.sha256WithRsaEncryption), nullValue()) };

export function signatureAlgorithmFor(kind: PublicKeyKind): SignatureAlgorithm {
  if (kind.kind === 'rsa') {
    return RSA_SHA256;
  }
  return kind.curve === 'P-256' ? ECDSA_SHA256 : ECDSA_SHA384;
}

const CURVES: Readonly<Record<string, 'P-256' | 'P-384'>> = { prime256v1: 'P-256', 'P-256': 'P-256', secp384r1: 'P-384', 'P-384': 'P-384' };

/** What a node key object is, when it is one the CA can sign with; undefined otherwise. */
export function publicKeyKindOf(key: KeyObject): PublicKeyKind | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVES[details.namedCurve ?? ''];
    return curve ? { kind: 'ec', curve } : undefined;
  }
  if (key.asymmetricKeyType === 'rsa' && details.publicExponent === 65537n) {
    const bits = details.modulusLength;
    return bits === 2048 || bits === 3072 || bits === 4096 ? { kind: 'rsa', bits } : undefined;
  }
  return undefined;
}
