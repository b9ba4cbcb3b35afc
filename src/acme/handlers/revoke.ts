import { X509Certificate } from 'node:crypto';
import type { AcmeCertificateRecord } from '../../store/acme-store.js';
import type { AcmeDependencies, AcmeHandler } from '../acme-context.js';
import { jwkToSpki } from '../jws/account-key.js';
import type { VerifiedRequest } from '../jws/request-verifier.js';
import { AcmeProblem, malformed, notFound, unauthorized } from '../problems.js';
import { authorizationStatus } from '../state.js';

/** RFC 5280 reason codes a subscriber may give (RFC 8555 §7.6); others are the CA's to use. */
export const SUBSCRIBER_REVOCATION_REASONS: readonly number[] = [0, 1, 3, 4, 5];

/**
 * RFC 8555 §7.6: revoke a certificate. Authorised are the account that obtained it, an account
 * holding valid authorizations for every IP in it (both sign with kid), and the certificate's own
 * key (jwk). The revocation goes to the shared ledger and audit log through the issuance service
 * (docs/ARCHITECTURE.md §1), then to the ACME records.
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
  const authority = await authorize(deps, request, certificate, der);
  if (certificate.revokedAt) throw alreadyRevoked();
  const recorded = await deps.issuer.recordRevocation({
    door: 'acme',
    requester: `${deps.requesterOf(exchange.ctx)} ${request.by === 'kid' ? `acme-account:${request.account.id}` : 'certificate-key'}`,
    serialNumber: certificate.serialNumber,
    reason,
    ips: certificate.ips,
    reference: certificate.orderId,
    authority,
  });
  // Marked in the ACME records even when the ledger already had it, so the two agree again.
  const marked = await deps.store.revokeCertificate(certificate.id, reason, deps.clock.now());
  if (!recorded || !marked) throw alreadyRevoked();
  deps.logger.info({ serialNumber: certificate.serialNumber, reason, by: request.by, authority }, 'ACME certificate revoked');
  return { status: 200 };
};

function alreadyRevoked(): AcmeProblem {
  return new AcmeProblem('alreadyRevoked', 'the certificate is already revoked');
}

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

/** Which of the three §7.6 authorities the request carries; unauthorized when none. */
async function authorize(deps: AcmeDependencies, request: VerifiedRequest, certificate: AcmeCertificateRecord, der: Buffer): Promise<string> {
  if (request.by === 'jwk') {
    const certificateSpki = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
    if (!jwkToSpki(request.jwk).equals(certificateSpki)) throw unauthorized('the "jwk" is neither an account key nor the key of this certificate');
    return 'the certificate key';
  }
  if (request.account.id === certificate.accountId) return 'the account that obtained it';
  const missing = await unauthorizedIps(deps, request.account.id, certificate);
  if (missing.length > 0 || certificate.ips.length === 0) {
    throw unauthorized(
      `this account neither obtained the certificate nor holds valid authorizations for all its IPs (none for ${missing.join(', ')}); ` +
        'sign with the account that obtained it, with an account authorized for every IP, or with the certificate key',
    );
  }
  return 'an account holding valid authorizations for every IP';
}

/** The certificate's IPs for which the account holds no valid, unexpired authorization. */
async function unauthorizedIps(deps: AcmeDependencies, accountId: string, certificate: AcmeCertificateRecord): Promise<string[]> {
  const now = deps.clock.now();
  const held = await deps.store.findValidAuthorizations(accountId, certificate.ips, now);
  const covered = new Set(held.filter((authorization) => authorizationStatus(authorization, now) === 'valid').map((authorization) => authorization.ip));
  return certificate.ips.filter((ip) => !covered.has(ip));
}
