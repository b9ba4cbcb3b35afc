import type { AcmeAccountRecord } from '../../store/acme-store.js';
import type { VerifiedRequest } from '../jws/request-verifier.js';
import { malformed, unauthorized } from '../problems.js';

/** RFC 8555 §6.3: a POST-as-GET carries an empty payload, nothing else. */
export function requirePostAsGet(request: VerifiedRequest): void {
  if (request.payload !== undefined) throw malformed('this resource is fetched with POST-as-GET: the JWS payload must be empty ("")');
}

/** The account a kid-signed request comes from. */
export function accountOf(request: VerifiedRequest): AcmeAccountRecord {
  if (request.by !== 'kid') throw malformed('this request must be signed with the account URL in "kid"');
  return request.account;
}

/** A resource owned by another account is refused as unauthorized (RFC 8555 §7.5 and §6.2). */
export function requireOwner(ownerId: string, accountId: string, what: string): void {
  if (ownerId !== accountId) throw unauthorized(`this ${what} belongs to another account`);
}
