import type { CryptoKey } from 'jose';
import { malformed } from '../problems.js';
import type { FlattenedJws } from './flattened-jws.js';

/** Verifies the signature of a flattened JWS with the given key and algorithm; malformed when it fails. */
export async function verifySignature(jws: FlattenedJws, key: CryptoKey | Uint8Array, alg: string): Promise<void> {
  try {
    const { flattenedVerify } = await import('jose'); // loaded with the first ACME request, not at start
    await flattenedVerify(jws, key, { algorithms: [alg] });
  } catch (error) {
    throw malformed(`JWS verification failed: ${(error as Error).message}`);
  }
}
