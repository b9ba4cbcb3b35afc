import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm, PublicKeyKind } from './types.js';

export function publicKeyKindOfAlgorithm(algorithm: KeyAlgorithm): PublicKeyKind {
  switch (algorithm) {
    case 'ecdsa-p256':
      return { kind: 'ec', curve: 'P-256' };
    case 'ecdsa-p384':
      return { kind: 'ec', curve: 'P-384' };
    case 'rsa-2048':
      return { kind: 'rsa', bits: 2048 };
    case 'rsa-3072':
      return { kind: 'rsa', bits: 3072 };
    case 'rsa-4096':
      return { kind: 'rsa', bits: 4096 };
  }
}

/** The key algorithm name of a key kind (the inverse of publicKeyKindOfAlgorithm). */
export function keyAlgorithmOfKind(kind: PublicKeyKind): KeyAlgorithm {
  return kind.kind === 'ec' ? (kind.curve === 'P-256' ? 'ecdsa-p256' : 'ecdsa-p384') : `rsa-${kind.bits}`;
}

export interface KeyObjectPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function generateKeyObjects(algorithm: KeyAlgorithm): KeyObjectPair {
  const kind = publicKeyKindOfAlgorithm(algorithm);
  return kind.kind === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: kind.curve })
    : generateKeyPairSync('rsa', { modulusLength: kind.bits, publicExponent: 65537 });
}

/** A fresh key: the private half as PKCS#8 PEM, the public half as DER SubjectPublicKeyInfo. */
export function generateKeyPair(algorithm: KeyAlgorithm): { privateKeyPem: string; spki: Uint8Array } {
  const { privateKey, publicKey } = generateKeyObjects(algorithm);
  return { privateKeyPem: pkcs8PemOf(privateKey), spki: spkiDerOf(publicKey) };
}

export function spkiDerOf(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

export function pkcs8PemOf(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
