import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCa, fixedClock, Ipv4RangeSet } from '../../../src/ca/index.js';
import { issueServerCertificate, SERVER_CERTIFICATE_VALIDITY_DAYS } from '../../../src/ca/server-certificate.js';
import { createPrivateKey } from 'node:crypto';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const clock = fixedClock(NOW);
const ca = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: Ipv4RangeSet.parse('10.0.0.0/8'), clock });
const root = new X509Certificate(ca.root.certificatePem);
const rootKey = createPrivateKey(ca.root.privateKeyPem);

describe('issueServerCertificate', () => {
  const issued = issueServerCertificate({
    issuerCertificateDer: new Uint8Array(root.raw),
    issuerKey: rootKey,
    dnsNames: ['localhost', 'LocalHost'],
    ips: ['127.0.0.1', '192.0.2.10'],
    clock,
  });
  const certificate = new X509Certificate(issued.pem);

  it('is signed by the root and names the DNS names and IPs (deduplicated, lower-case)', () => {
    expect(certificate.verify(root.publicKey)).toBe(true);
    expect(certificate.checkIssued(root)).toBe(true);
    expect(certificate.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:192.0.2.10');
    expect(certificate.subject ?? '').toBe('');
    expect(certificate.ca).toBe(false);
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('is short-lived and backdated by an hour', () => {
    expect(new Date(certificate.validFrom).getTime()).toBe(NOW.getTime() - 3_600_000);
    expect(new Date(certificate.validTo).getTime()).toBe(NOW.getTime() + SERVER_CERTIFICATE_VALIDITY_DAYS * 86_400_000);
  });

  it('comes with its own P-256 private key', () => {
    const key = createPrivateKey(issued.privateKeyPem);
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certificate.checkPrivateKey(key)).toBe(true);
  });

  it('refuses malformed DNS names and an empty name list', () => {
    const base = { issuerCertificateDer: new Uint8Array(root.raw), issuerKey: rootKey, clock };
    expect(() => issueServerCertificate({ ...base, dnsNames: ['bad name'], ips: [] })).toThrow(/not a valid DNS name/);
    expect(() => issueServerCertificate({ ...base, dnsNames: [], ips: [] })).toThrow(/at least one name/);
  });
});
