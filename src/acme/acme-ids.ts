import { randomBytes } from 'node:crypto';

/** An unguessable resource id: 12 random bytes, base64url (16 characters; see ACME_ID). */
export function newAcmeId(): string {
  return randomBytes(12).toString('base64url');
}

/** A challenge token: 32 random bytes, base64url (RFC 8555 §8.3 asks for at least 128 bits). */
export function newChallengeToken(): string {
  return randomBytes(32).toString('base64url');
}
