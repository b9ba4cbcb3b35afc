import type { AcmeCertificateRecord } from '../../store/acme-store.js';
import type { AcmeHandler } from '../acme-context.js';
import { authorityKeyIdentifierOf, parseCertificateId } from '../certificate-id.js';
import { notFound } from '../problems.js';
import type { RenewalInfoJson } from '../wire-types.js';

/** How often clients should ask again (RFC 9773 §4.3). */
export const RENEWAL_INFO_RETRY_AFTER_SECONDS = 6 * 3600;

/**
 * RFC 9773 renewalInfo: GET /renewal-info/{base64url(AKI keyIdentifier)}.{base64url(serial)}.
 * The suggested window lies in the last third of the lifetime (from 2/3 to 5/6 of it), or in the
 * past once the certificate is revoked so clients renew at once.
 */
export const getRenewalInfo: AcmeHandler = async (deps, exchange) => {
  const { keyIdentifier, serialNumber } = parseCertificateId(exchange.params['certId'] ?? '');
  const certificate = await deps.store.findCertificateBySerial(serialNumber);
  if (!certificate || !authorityKeyIdentifierOf(certificate.chainPem).equals(keyIdentifier)) throw notFound('this certificate');
  const body: RenewalInfoJson = { suggestedWindow: suggestedWindow(certificate, deps.clock.now()) };
  return { status: 200, body, retryAfterSeconds: RENEWAL_INFO_RETRY_AFTER_SECONDS };
};

export function suggestedWindow(certificate: Pick<AcmeCertificateRecord, 'notBefore' | 'notAfter' | 'revokedAt'>, now: Date): { start: string; end: string } {
  if (certificate.revokedAt) return { start: new Date(now.getTime() - 3_600_000).toISOString(), end: now.toISOString() };
  const start = certificate.notBefore.getTime();
  const lifetime = certificate.notAfter.getTime() - start;
  return { start: new Date(start + (lifetime * 2) / 3).toISOString(), end: new Date(start + (lifetime * 5) / 6).toISOString() };
}
