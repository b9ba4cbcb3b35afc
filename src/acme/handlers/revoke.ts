import { X509Certificate } from 'node:crypto';
import type { AcmeCertificateRecord } from '../../store/acme-store.js';
import type { AcmeHandler } from '../acme-context.js';
import { jwkToSpki } from '../jws/account-key.js';
import type { VerifiedRequest } from '../jws/request-verifier.js';
import { AcmeProblem, malformed, notFound, unauthorized } from '../problems.js';

/** RFC 5280 reason codes a subscriber may give (RFC 8555 §7.6); others are the CA's to use. */
export const SUBSCRIBER_REVOCATION_REASONS: readonly number[] = [0, 1, 3, 4, 5];

/**
 * RFC 8555 §7.6: revoke a certificate, signed either by the account that obtained it (kid) or
 * by the certificate's own key (jwk).
 */
export const postRevokeCert: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('jwk-or-kid');
  const payload = request.payload;
  if (payload === undefined) throw malformed('revokeCert needs a payload with "certificate"');
  const reason = payload['reason'] ?? 0;
  if (typeof reason !== 'number' || !SUBSCRIBER_REVOCATION_REASONS.includes(reason)) {
    throw new AcmeProblem('badRevocationReason', `reason must be one of ${SUBSCRIBER_REVOCATION_REASONS.join(', ')} (RFC 5280 CRLReason)`);
  }
  const der = certificateDer(payload['certificate']);
  const certificate = await deps.store.findCertificateBySerial(serialOf(der));
  if (!certificate || !leafDer(certificate).equals(der)) throw notFound('this certificate (as issued by this ACME server)');
  authorize(request, certificate, der);
  if (certificate.revokedAt || !(await deps.store.revokeCertificate(certificate.id, reason, deps.clock.now()))) {
    throw new AcmeProblem('alreadyRevoked', 'the certificate is already revoked');
  }
  deps.logger.info({ serialNumber: certificate.serialNumber, reason, by: request.by }, 'ACME certificate revoked');
  return { status: 200 };
};

function certificateDer(value: unknown): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) throw malformed('"certificate" must be the base64url DER of the certificate');
  return Buffer.from(value, 'base64url');
}

function serialOf(der: Buffer): string {
  try {
    return new X509Certificate(der).serialNumber.toLowerCase();
  } catch {
    throw malformed('"certificate" is not a DER X.509 certificate');
  }
}

function leafDer(certificate: AcmeCertificateRecord): Buffer {
  return new X509Certificate(certificate.chainPem).raw;
}

function authorize(request: VerifiedRequest, certificate: AcmeCertificateRecord, der: Buffer): void {
  if (request.by === 'kid') {
    if (request.account.id !== certificate.accountId) throw unauthorized('this account did not obtain the certificate; sign with the account that did, or with the certificate key');
    return;
  }
  const certificateSpki = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  if (!jwkToSpki(request.jwk).equals(certificateSpki)) throw unauthorized('the "jwk" is neither an account key nor the key of this certificate');
}
