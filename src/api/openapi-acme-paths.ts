import type { OpenApiDocument, OperationObject, ResponseObject } from './openapi-types.js';

/**
 * The ACME door's resources (RFC 8555 §7.1, RFC 8738, RFC 9773), described for the docs page.
 * Every request but GET /directory, /new-nonce and /renewal-info is a JWS (application/jose+json)
 * signed with the account key; every error is an RFC 7807 problem document.
 */
const problem: ResponseObject = { description: 'An RFC 7807 problem document (type urn:ietf:params:acme:error:…).', content: { 'application/problem+json': { schema: { type: 'object' } } } };
const jws = { required: true, content: { 'application/jose+json': { schema: { type: 'object' as const, description: 'Flattened JWS: protected, payload, signature (RFC 8555 §6.2).' } } } };
const id = (name: string, description: string) => [{ name, in: 'path' as const, required: true as const, description, schema: { type: 'string' as const } }];

function post(operationId: string, summary: string, description: string, ok: string, extra: Partial<OperationObject> = {}): { post: OperationObject } {
  return { post: { operationId, summary, description, tags: ['ACME'], requestBody: jws, responses: { '200': { description: ok }, '4XX': problem }, ...extra } };
}

export const ACME_PATHS: OpenApiDocument['paths'] = {
  '/acme/directory': {
    get: {
      operationId: 'acmeDirectory',
      summary: 'ACME directory',
      description: 'The URLs of every ACME resource and `meta` (termsOfService, website, externalAccountRequired). Point ACME clients here.',
      tags: ['ACME'],
      responses: { '200': { description: 'The directory object', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  },
  '/acme/new-nonce': {
    head: { operationId: 'acmeNewNonceHead', summary: 'New nonce', description: 'A fresh Replay-Nonce header (RFC 8555 §7.2).', tags: ['ACME'], responses: { '200': { description: 'Replay-Nonce set' } } },
    get: { operationId: 'acmeNewNonce', summary: 'New nonce (GET)', description: 'As HEAD, answered 204.', tags: ['ACME'], responses: { '204': { description: 'Replay-Nonce set' } } },
  },
  '/acme/new-account': post('acmeNewAccount', 'New account', 'Creates an account for the JWS key (or finds it with onlyReturnExisting); External Account Binding when required.', 'The existing account', {
    responses: { '200': { description: 'The existing account' }, '201': { description: 'Created; Location is the account URL' }, '4XX': problem },
  }),
  '/acme/acct/{id}': post('acmeAccount', 'Account', 'POST-as-GET the account, update its contact, or deactivate it.', 'The account', { parameters: id('id', 'Account id') }),
  '/acme/acct/{id}/orders': post('acmeAccountOrders', 'Account orders', "The account's orders (RFC 8555 §7.1.2.1).", 'The list of order URLs', { parameters: id('id', 'Account id') }),
  '/acme/key-change': post('acmeKeyChange', 'Key change', 'Rolls the account over to a new key (RFC 8555 §7.3.5).', 'The account with its new key'),
  '/acme/new-order': post('acmeNewOrder', 'New order', 'An order for 1..max IP identifiers (type "ip") inside the allowed ranges; optional notBefore/notAfter and RFC 9773 `replaces`.', 'Unused', {
    responses: { '201': { description: 'Created; Location is the order URL' }, '4XX': problem },
  }),
  '/acme/order/{id}': post('acmeOrder', 'Order', 'POST-as-GET the order.', 'The order', { parameters: id('id', 'Order id') }),
  '/acme/order/{id}/finalize': post('acmeFinalize', 'Finalize', 'Submits the CSR (base64url DER) naming exactly the order\'s IPs; the certificate is issued at once.', 'The order, now valid', { parameters: id('id', 'Order id') }),
  '/acme/authz/{id}': post('acmeAuthorization', 'Authorization', 'POST-as-GET an authorization, or deactivate it.', 'The authorization', { parameters: id('id', 'Authorization id') }),
  '/acme/chall/{id}': post('acmeChallenge', 'Challenge', 'Asks the server to validate an http-01 or tls-alpn-01 challenge (dialing only the identifier IP).', 'The challenge', { parameters: id('id', 'Challenge id') }),
  '/acme/cert/{id}': post('acmeCertificate', 'Certificate', 'POST-as-GET the certificate chain (application/pem-certificate-chain).', 'The PEM chain', { parameters: id('id', 'Certificate id') }),
  '/acme/revoke-cert': post('acmeRevokeCert', 'Revoke certificate', 'Revokes a certificate, signed by its account, an account authorised for all its IPs, or its own key; the CRL lists it next.', 'Revoked'),
  '/acme/renewal-info/{certId}': {
    get: {
      operationId: 'acmeRenewalInfo',
      summary: 'Renewal information',
      description: 'RFC 9773 ARI: the suggested renewal window of a certificate, by its identifier base64url(AKI keyIdentifier).base64url(serial).',
      tags: ['ACME'],
      parameters: id('certId', 'RFC 9773 certificate identifier'),
      responses: { '200': { description: 'suggestedWindow with start and end' }, '4XX': problem },
    },
  },
};
