import type { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import type { Certificate } from '@peculiar/asn1-x509';
import { asn1 } from '../asn1-modules.js';
import { ipIdentifier, reverseDnsName } from '../identifiers.js';
import { AcmeProblem } from '../problems.js';
import { keyAuthorizationDigest } from './key-authorization.js';
import type { Dialer, ValidationLimits, ValidationOutcome } from './validation-types.js';

export const ACME_TLS_ALPN = 'acme-tls/1';
/** RFC 8737 §6.1: id-pe-acmeIdentifier. */
export const ID_PE_ACME_IDENTIFIER = '1.3.6.1.5.5.7.1.31';

/**
 * RFC 8737 + RFC 8738 §6: a TLS handshake to IP:443 offering only ALPN "acme-tls/1", SNI the
 * reverse-DNS name of the IP; the self-signed certificate must name exactly that IP in its SAN
 * and carry a critical acmeIdentifier with SHA-256 of the key authorization.
 */
export function validateTlsAlpn01(ip: string, expected: string, dial: Dialer, limits: ValidationLimits): Promise<ValidationOutcome> {
  const target = dial(ip, 443);
  return new Promise((resolve) => {
    const socket = connect({
      host: target.host,
      port: target.port,
      servername: reverseDnsName(ip),
      ALPNProtocols: [ACME_TLS_ALPN],
      rejectUnauthorized: false,
    });
    const settle = (outcome: ValidationOutcome): void => {
      clearTimeout(timer);
      resolve(outcome);
      socket.destroy();
    };
    const timer = setTimeout(() => settle(fail(ip, 'connection', `no TLS handshake with ${ip} within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    socket.on('secureConnect', () => {
      if (socket.alpnProtocol !== ACME_TLS_ALPN) return settle(fail(ip, 'tls', `the server did not negotiate ALPN "${ACME_TLS_ALPN}" (got ${JSON.stringify(socket.alpnProtocol)})`));
      const certificate = socket.getPeerX509Certificate();
      settle(certificate ? checkCertificate(ip, certificate, expected) : fail(ip, 'tls', 'the server presented no certificate'));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const type = error.code?.startsWith('ERR_SSL') || /SSL|TLS|alert/i.test(error.message) ? 'tls' : 'connection';
      settle(fail(ip, type, `TLS connection to ${ip}: ${error.code ?? ''} ${error.message}`.trim()));
    });
  });
}

export function checkCertificate(ip: string, certificate: X509Certificate, expected: string): ValidationOutcome {
  const { schema, x509 } = asn1();
  const { AsnConvert, OctetString } = schema;
  const { id_ce_subjectAltName, SubjectAlternativeName } = x509;
  let parsed: Certificate;
  try {
    parsed = AsnConvert.parse(certificate.raw, x509.Certificate);
  } catch (error) {
    return fail(ip, 'tls', `the certificate cannot be parsed: ${(error as Error).message}`);
  }
  const extensions = parsed.tbsCertificate.extensions ?? [];
  const san = extensions.find((extension) => extension.extnID === id_ce_subjectAltName);
  if (!san) return fail(ip, 'incorrectResponse', 'the certificate has no subjectAltName');
  const names = AsnConvert.parse(san.extnValue, SubjectAlternativeName);
  if (names.length !== 1 || names[0]?.iPAddress !== ip) {
    return fail(ip, 'incorrectResponse', `the certificate's subjectAltName must hold exactly the iPAddress ${ip}`);
  }
  const acme = extensions.find((extension) => extension.extnID === ID_PE_ACME_IDENTIFIER);
  if (!acme) return fail(ip, 'incorrectResponse', 'the certificate has no acmeIdentifier extension (1.3.6.1.5.5.7.1.31)');
  if (!acme.critical) return fail(ip, 'incorrectResponse', 'the acmeIdentifier extension must be critical');
  let digest: Uint8Array;
  try {
    digest = new Uint8Array(AsnConvert.parse(acme.extnValue, OctetString).buffer);
  } catch {
    return fail(ip, 'incorrectResponse', 'the acmeIdentifier extension is not a DER OCTET STRING');
  }
  if (!Buffer.from(digest).equals(keyAuthorizationDigest(expected))) {
    return fail(ip, 'incorrectResponse', 'the acmeIdentifier digest does not match the key authorization');
  }
  return { valid: true };
}

function fail(ip: string, type: 'connection' | 'tls' | 'incorrectResponse', detail: string): ValidationOutcome {
  return { valid: false, problem: new AcmeProblem(type, detail, { identifier: ipIdentifier(ip) }) };
}
