import { createPrivateKey, createPublicKey, KeyObject, type webcrypto } from 'node:crypto';
import type { TestKey } from './csr-factory.js';
import { fermatCloseKey, rocaStructuredKey, smallFactorKey } from './weak-rsa-keys.js';

/**
 * The keys every door must refuse, as real key pairs: each CSR built from one is correctly signed
 * by it, so only the key check can refuse it. `says` is the core's wording, which every door shows.
 */
export interface RefusedKey {
  readonly name: string;
  readonly key: TestKey;
  readonly reason: 'key_weak' | 'key_reused';
  readonly says: RegExp;
}

/** One key of each weak RSA kind (made once; a ROCA-structured key takes a moment). */
export function weakRsaKeys(): RefusedKey[] {
  return [
    { name: 'RSA-2048 whose modulus 7 divides', key: smallFactorKey(7n), reason: 'key_weak', says: /the RSA modulus has a small factor 7, so anyone can factor it/ },
    { name: 'RSA-2048 with Fermat-close primes (|p − q| ≈ 2^20)', key: fermatCloseKey(20), reason: 'key_weak', says: /two primes too close together \(they differ by a 2[01]-bit number\): Fermat's method/ },
    { name: 'RSA-2048 with the ROCA fingerprint', key: rocaStructuredKey(), reason: 'key_weak', says: /the RSA key carries the ROCA fingerprint \(CVE-2017-15361/ },
  ];
}

/** The CA's own keys, from their private key PEMs (data-dir/ca/root.key, intermediate.key). */
export function caKeys(pems: { readonly root: string; readonly intermediate: string }): RefusedKey[] {
  return [
    { name: 'the root CA key', key: testKeyOf(createPrivateKey(pems.root)), reason: 'key_reused', says: /the requested public key is the root CA key \(.+\); a certificate needs a key of its own/ },
    { name: 'the intermediate CA key', key: testKeyOf(createPrivateKey(pems.intermediate)), reason: 'key_reused', says: /the requested public key is the intermediate CA key \(.+Intermediate CA.*\); a certificate needs a key of its own/ },
  ];
}

/** A private key (PEM-loaded, or a WebCrypto key such as an ACME account's) as a CSR signing key. */
export function testKeyOf(privateKey: KeyObject | webcrypto.CryptoKey): TestKey {
  const key = privateKey instanceof KeyObject ? privateKey : KeyObject.from(privateKey);
  const details = key.asymmetricKeyDetails;
  const kind = key.asymmetricKeyType === 'rsa' ? 'rsa2048' : details?.namedCurve === 'secp384r1' ? 'p384' : 'p256';
  return { kind, privateKey: key, spki: Uint8Array.from(createPublicKey(key).export({ type: 'spki', format: 'der' })) };
}
