import type { AcmeAccountRecord } from '../../store/acme-store.js';
import type { AcmeDependencies, AcmeHandler, AcmeResponse } from '../acme-context.js';
import { newAcmeId } from '../acme-ids.js';
import { checkContacts } from '../contacts.js';
import { verifyExternalAccountBinding } from '../eab.js';
import type { VerifiedRequest } from '../jws/request-verifier.js';
import type { AcmeLinks } from '../links.js';
import { AcmeProblem, malformed } from '../problems.js';
import { chargeRateLimit } from '../rate-limits.js';
import { accountJson } from '../resources.js';
import { accountOf, requireOwner } from './post-as-get.js';

/**
 * RFC 8555 §7.3: create an account, or find the one this key already has. Only creating is charged
 * to the new-account limit: cert-manager and certbot look their account up on every run, and a
 * look-up must not lock out the address that owns it.
 */
export const postNewAccount: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('jwk');
  if (request.by !== 'jwk') throw malformed('newAccount must carry the account key in "jwk"');
  const payload = request.payload ?? {};
  const existing = await deps.store.findAccountByThumbprint(request.thumbprint);
  if (existing) return accountResponse(existing, exchange.links, 200);
  if (payload['onlyReturnExisting'] === true) throw new AcmeProblem('accountDoesNotExist', 'no account exists for this key');
  await chargeRateLimit(deps, 'new-account', deps.requesterOf(exchange.ctx));
  const contact = checkContacts(payload['contact']);
  const termsOfServiceAgreed = payload['termsOfServiceAgreed'] === true;
  if (deps.settings.termsOfService && !termsOfServiceAgreed) {
    throw new AcmeProblem('userActionRequired', `agree to the terms of service (${deps.settings.termsOfService}) with "termsOfServiceAgreed": true`);
  }
  const eabKeyId = await bindingOf(deps, payload['externalAccountBinding'], request, exchange.links);
  const { account, created } = await deps.store.createAccount({
    id: newAcmeId(),
    thumbprint: request.thumbprint,
    jwk: { ...request.jwk },
    contact,
    status: 'valid',
    termsOfServiceAgreed,
    ...(eabKeyId ? { eabKeyId } : {}),
    createdAt: deps.clock.now(),
  });
  if (created) deps.logger.info({ account: account.id, eab: eabKeyId, requester: deps.requesterOf(exchange.ctx) }, 'ACME account created');
  return accountResponse(account, exchange.links, created ? 201 : 200);
};

async function bindingOf(deps: AcmeDependencies, binding: unknown, request: VerifiedRequest & { by: 'jwk' }, links: AcmeLinks): Promise<string | undefined> {
  if (binding === undefined) {
    if (deps.settings.eabRequired) throw new AcmeProblem('externalAccountRequired', 'this server requires an externalAccountBinding; ask the CA operator for an EAB key (smsgate-ca eab create)');
    return undefined;
  }
  return verifyExternalAccountBinding(binding, request.jwk, links.newAccount, deps.store);
}

/** RFC 8555 §7.3.2 (update), §7.3.6 (deactivate), and POST-as-GET of the account. */
export const postAccount: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('kid');
  const account = accountOf(request);
  requireOwner(exchange.params['id'] ?? '', account.id, 'account');
  const payload = request.payload;
  if (payload === undefined) return accountResponse(account, exchange.links, 200);
  if (payload['status'] !== undefined) {
    if (payload['status'] !== 'deactivated') throw malformed('the only status a client may set on its account is "deactivated"');
    await deps.store.deactivateAccount(account.id);
    deps.logger.info({ account: account.id }, 'ACME account deactivated');
    return accountResponse({ ...account, status: 'deactivated' }, exchange.links, 200);
  }
  if (payload['contact'] !== undefined) {
    const contact = checkContacts(payload['contact']);
    await deps.store.updateContact(account.id, contact);
    return accountResponse({ ...account, contact }, exchange.links, 200);
  }
  return accountResponse(account, exchange.links, 200);
};

export function accountResponse(account: AcmeAccountRecord, links: AcmeLinks, status: number): AcmeResponse {
  return { status, body: accountJson(account, links), location: links.account(account.id) };
}
