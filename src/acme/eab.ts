import type { AcmeStore } from '../store/acme-store.js';
import { decodeProtectedHeader, parseFlattenedJws } from './jws/flattened-jws.js';
import { parseBoundedJson } from './jose-body.js';
import { canonicalPublicJwk, sameKey, type PublicJwk } from './jws/account-key.js';
import { malformed, unauthorized } from './problems.js';

const EAB_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

/**
 * RFC 8555 §7.3.4: the `externalAccountBinding` of a newAccount is a flattened JWS, MAC'd with an
 * EAB key we issued, whose payload is the account's own public key and whose `url` is newAccount.
 * Returns the EAB key id it binds.
 */
export async function verifyExternalAccountBinding(
  binding: unknown,
  accountKey: PublicJwk,
  newAccountUrl: string,
  store: Pick<AcmeStore, 'findEabKey'>,
): Promise<string> {
  const { jws } = parseFlattenedJws(binding);
  const header = decodeProtectedHeader(jws.protected);
  if (!EAB_ALGORITHMS.includes(header.alg)) throw malformed(`externalAccountBinding must use ${EAB_ALGORITHMS.join('/')}, not ${header.alg}`);
  if (header.nonce !== undefined) throw malformed('externalAccountBinding must not carry a nonce');
  if (header.jwk !== undefined) throw malformed('externalAccountBinding must name the EAB key by "kid", not carry a "jwk"');
  if (header.url !== newAccountUrl) throw unauthorized('externalAccountBinding "url" must be the newAccount URL');
  if (typeof header.kid !== 'string') throw malformed('externalAccountBinding has no "kid"');
  const key = await store.findEabKey(header.kid);
  if (!key || key.revokedAt) throw unauthorized(`external account key "${header.kid.slice(0, 64)}" is unknown or revoked`);
  try {
    const { flattenedVerify } = await import('jose'); // loaded on first use: most servers never see an EAB
    await flattenedVerify(jws, key.hmacKey, { algorithms: EAB_ALGORITHMS });
  } catch {
    throw unauthorized('externalAccountBinding MAC does not verify with that key');
  }
  let bound: PublicJwk;
  try {
    bound = canonicalPublicJwk(parseBoundedJson(Buffer.from(jws.payload, 'base64url'), 'the externalAccountBinding payload'));
  } catch {
    throw malformed('externalAccountBinding payload must be the account public key (JWK)');
  }
  if (!sameKey(bound, accountKey)) throw unauthorized('externalAccountBinding binds another key than the one signing this request');
  return key.keyId;
}
