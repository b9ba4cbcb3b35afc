import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { nullValue, oid, sequence } from '../../src/ca/der.js';

/** A signing key of the fuzzer, with the SPKI it puts in requests and how it signs. */
export interface FuzzKey {
  readonly name: string;
  readonly privateKey: KeyObject;
  readonly spki: Uint8Array;
  /** null for Ed25519 (no separate hash). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  readonly algorithm: Uint8Array;
  /** A key the policy accepts (RSA 2048/3072/4096 e=65537, P-256, P-384). */
  readonly supported: boolean;
}

const SPECS: ReadonlyArray<{ file: string; hash: FuzzKey['hash']; algorithmOid: string; rsa: boolean; supported: boolean }> = [
  { file: 'p256.pem', hash: 'sha256', algorithmOid: '1.2.840.10045.4.3.2', rsa: false, supported: true },
  { file: 'p384.pem', hash: 'sha384', algorithmOid: '1.2.840.10045.4.3.3', rsa: false, supported: true },
  { file: 'rsa2048.pem', hash: 'sha256', algorithmOid: '1.2.840.113549.1.1.11', rsa: true, supported: true },
  { file: 'rsa3072.pem', hash: 'sha256', algorithmOid: '1.2.840.113549.1.1.11', rsa: true, supported: true },
  { file: 'rsa4096.pem', hash: 'sha512', algorithmOid: '1.2.840.113549.1.1.13', rsa: true, supported: true },
  { file: 'rsa1024.pem', hash: 'sha256', algorithmOid: '1.2.840.113549.1.1.11', rsa: true, supported: false },
  { file: 'rsa2048-e3.pem', hash: 'sha256', algorithmOid: '1.2.840.113549.1.1.11', rsa: true, supported: false },
  { file: 'rsa2048-factor3.pem', hash: 'sha256', algorithmOid: '1.2.840.113549.1.1.11', rsa: true, supported: false },
  { file: 'p521.pem', hash: 'sha512', algorithmOid: '1.2.840.10045.4.3.4', rsa: false, supported: false },
  { file: 'ed25519.pem', hash: null, algorithmOid: '1.3.101.112', rsa: false, supported: false },
];

export function loadFuzzKeys(directory: string): FuzzKey[] {
  return SPECS.map((spec) => {
    const privateKey = createPrivateKey(readFileSync(join(directory, spec.file), 'utf8'));
    const algorithm = spec.rsa ? sequence(oid(spec.algorithmOid), nullValue()) : sequence(oid(spec.algorithmOid));
    return {
      name: spec.file.replace(/\.pem$/, ''),
      privateKey,
      spki: new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })),
      hash: spec.hash,
      algorithm,
      supported: spec.supported,
    };
  });
}
