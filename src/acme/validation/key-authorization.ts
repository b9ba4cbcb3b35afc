import { createHash } from 'node:crypto';

/** RFC 8555 §8.1: token || '.' || base64url(JWK thumbprint of the account key). */
export function keyAuthorization(token: string, accountThumbprint: string): string {
  return `${token}.${accountThumbprint}`;
}

/** RFC 8737 §3: the acmeIdentifier extension holds SHA-256 of the key authorization. */
export function keyAuthorizationDigest(keyAuth: string): Buffer {
  return createHash('sha256').update(keyAuth, 'utf8').digest();
}
