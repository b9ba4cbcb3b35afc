import type { AcmeHandler } from '../acme-context.js';
import { notFound } from '../problems.js';
import { accountOf, requirePostAsGet, requireOwner } from './post-as-get.js';

export const PEM_CHAIN = 'application/pem-certificate-chain';

/** RFC 8555 §7.4.2: POST-as-GET the chain (leaf + intermediate). */
export const postCertificate: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('kid');
  requirePostAsGet(request);
  const certificate = await deps.store.findCertificate(exchange.params['id'] ?? '');
  if (!certificate) throw notFound('this certificate');
  requireOwner(certificate.accountId, accountOf(request).id, 'certificate');
  return { status: 200, body: certificate.chainPem, contentType: PEM_CHAIN };
};
