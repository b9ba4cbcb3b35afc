import type { AcmeHandler } from '../acme-context.js';
import { canonicalPublicJwk, sameKey, type PublicJwk } from '../jws/account-key.js';
import { checkAlgorithm, decodePayload, parseFlattenedJws } from '../jws/flattened-jws.js';
import { AcmeProblem, malformed, unauthorized } from '../problems.js';
import { accountResponse } from './account.js';
import { accountOf } from './post-as-get.js';

/**
 * RFC 8555 §7.3.5: the outer JWS (old key, kid) carries an inner JWS signed by the new key (jwk,
 * same url, no nonce) whose payload names the account and the old key.
 */
export const postKeyChange: AcmeHandler = async (deps, exchange) => {
  const outer = await exchange.signed('kid');
  const account = accountOf(outer);
  const { jws: inner, header } = parseFlattenedJws(outer.payload);
  const alg = checkAlgorithm(header.alg);
  if (header.kid !== undefined || header.jwk === undefined) throw malformed('the inner JWS must carry the new key in "jwk" and no "kid"');
  if (header.nonce !== undefined) throw malformed('the inner JWS must not carry a "nonce" (RFC 8555 §7.3.5)');
  if (header.url !== outer.header.url) throw malformed('the inner JWS "url" must equal the outer one');
  const newKey = canonicalPublicJwk(header.jwk);
  const newThumbprint = await deps.verifier.verifyWith(inner, newKey, alg);
  const payload = decodePayload(inner.payload) ?? {};
  if (payload['account'] !== exchange.links.account(account.id)) throw unauthorized('the inner payload "account" is not the account signing the request');
  const oldKey = canonicalOrUndefined(payload['oldKey']);
  if (!oldKey || !sameKey(oldKey, account.jwk as PublicJwk)) {
    throw unauthorized('the inner payload "oldKey" is not the current account key');
  }
  if (newThumbprint === account.thumbprint) {
    throw malformed('the new key is the current account key');
  }
  const result = await deps.store.changeAccountKey(account.id, account.thumbprint, { thumbprint: newThumbprint, jwk: { ...newKey } });
  if (result.kind === 'conflict') {
    throw new AcmeProblem('malformed', 'the new key already belongs to an account', { status: 409, headers: { Location: exchange.links.account(result.accountId) } });
  }
  if (result.kind === 'stale') throw unauthorized('the account key changed concurrently; retry');
  deps.logger.info({ account: account.id }, 'ACME account key changed');
  return accountResponse({ ...account, thumbprint: newThumbprint, jwk: { ...newKey } }, exchange.links, 200);
};

function canonicalOrUndefined(value: unknown): PublicJwk | undefined {
  try {
    return canonicalPublicJwk(value);
  } catch {
    return undefined;
  }
}
