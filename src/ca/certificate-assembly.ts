import { sign, type KeyObject } from 'node:crypto';
import { bitString, explicitTag, sequence, time } from './der.js';
import type { SignatureAlgorithm } from './signature-algorithm.js';

/** [0] EXPLICIT Version v3 (INTEGER 2). */
const VERSION_V3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);

/** Every TBSCertificate field, already DER-encoded except the validity dates. */
export interface TbsParts {
  readonly serialDer: Uint8Array;
  readonly signatureAlgorithmDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectDer: Uint8Array;
  readonly spkiDer: Uint8Array;
  /** Encoded Extension SEQUENCEs, in the order they are written. */
  readonly extensions: readonly Uint8Array[];
}

export function encodeTbs(parts: TbsParts): Uint8Array {
  return sequence(
    VERSION_V3,
    parts.serialDer,
    parts.signatureAlgorithmDer,
    parts.issuerDer,
    sequence(time(parts.notBefore), time(parts.notAfter)),
    parts.subjectDer,
    parts.spkiDer,
    explicitTag(3, sequence(...parts.extensions)),
  );
}

export interface CertificateSigningKey {
  readonly key: KeyObject;
  readonly algorithm: SignatureAlgorithm;
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }. */
export function signTbs(tbs: Uint8Array, signer: CertificateSigningKey): Uint8Array {
  // crypto.sign emits DER ECDSA-Sig-Value for EC keys and PKCS#1 v1.5 for RSA keys, as X.509 wants.
  const signature = sign(signer.algorithm.hash, tbs, signer.key);
  return sequence(tbs, signer.algorithm.identifierDer, bitString(signature));
}

/** Drops milliseconds: certificates carry whole seconds, and reported dates must equal the encoded ones. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
