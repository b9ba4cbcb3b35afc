import type { Ipv4 } from '../ca/index.js';
import type { AcmeDependencies } from './acme-context.js';
import { authorityKeyIdentifierOf, formatCertificateId, parseCertificateId } from './certificate-id.js';
import type { AcmeLinks } from './links.js';
import { AcmeProblem, malformed } from './problems.js';
import { authorizationStatus, orderStatus } from './state.js';

/**
 * RFC 9773 §5: a newOrder's `replaces` must name a certificate this server issued to the same
 * account, share at least one identifier with the order, and not already be replaced by another
 * order that is not invalid — that one refusal is `alreadyReplaced` (409); the others, for which
 * the RFC names no type, are `malformed` (400). Returns the canonical identifier to record.
 */
export async function checkReplaces(
  deps: AcmeDependencies,
  links: AcmeLinks,
  value: unknown,
  accountId: string,
  ips: readonly Ipv4[],
): Promise<string | undefined> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw malformed('"replaces" must be a string');
  const id = parseCertificateId(value);
  const certificate = await deps.store.findCertificateBySerial(id.serialNumber);
  // Another account's certificate is refused like an unknown one: its existence is not revealed.
  if (!certificate || certificate.accountId !== accountId || !authorityKeyIdentifierOf(certificate.chainPem).equals(id.keyIdentifier)) {
    throw malformed(`"replaces" names no certificate this server issued to this account (${value.slice(0, 128)})`);
  }
  if (!certificate.ips.some((ip) => ips.includes(ip))) {
    throw malformed(`the order shares no identifier with the certificate it replaces (${certificate.ips.join(', ')})`);
  }
  const canonical = formatCertificateId(id);
  const replacement = await liveReplacement(deps, canonical);
  if (replacement) throw new AcmeProblem('alreadyReplaced', `the certificate is already replaced by order ${links.order(replacement)}`);
  return canonical;
}

/** The id of an order, not invalid, that already replaces this certificate. */
async function liveReplacement(deps: AcmeDependencies, certificateId: string): Promise<string | undefined> {
  const now = deps.clock.now();
  for (const order of await deps.store.findOrdersReplacing(certificateId)) {
    const authorizations = await deps.store.findAuthorizations(order.id);
    const statuses = authorizations.map((authorization) => authorizationStatus(authorization, now));
    if (orderStatus(order, statuses, now) !== 'invalid') return order.id;
  }
  return undefined;
}
