import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first
import { createHash, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { authorityKeyIdentifierOf } from '../../../src/acme/certificate-id.js';
import { checkCertificate } from '../../../src/acme/validation/tls-alpn-01.js';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const ACME_IDENTIFIER = '1.3.6.1.5.5.7.1.31';
const KEY_AUTH = 'token.thumbprint';

/** A certificate made by @peculiar/x509, the independent encoder the core's reader is checked against. */
async function certificate(extensions: x509.Extension[]): Promise<X509Certificate> {
  const keys = await globalThis.crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const made = await x509.X509CertificateGenerator.createSelfSigned({
    keys,
    signingAlgorithm: ALGORITHM,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2026-01-02T00:00:00Z'),
    extensions,
  });
  return new X509Certificate(made.toString('pem'));
}

function acmeIdentifier(keyAuthorization: string, critical = true, value?: Buffer): x509.Extension {
  const digest = createHash('sha256').update(keyAuthorization).digest();
  return new x509.Extension(ACME_IDENTIFIER, critical, value ?? Buffer.concat([Buffer.from([0x04, 0x20]), digest]));
}

const san = (...names: x509.JsonGeneralName[]): x509.Extension => new x509.SubjectAlternativeNameExtension(names, true);

describe('tls-alpn-01 certificate check (the core DER reader on certificates @peculiar/x509 made)', () => {
  it('accepts the RFC 8737 certificate', async () => {
    expect(checkCertificate('10.0.0.5', await certificate([san({ type: 'ip', value: '10.0.0.5' }), acmeIdentifier(KEY_AUTH)]), KEY_AUTH)).toEqual({ valid: true });
  });

  it.each([
    ['another IP', [san({ type: 'ip', value: '10.0.0.6' }), acmeIdentifier(KEY_AUTH)], /exactly the iPAddress 10\.0\.0\.5/],
    ['a DNS name beside the IP', [san({ type: 'dns', value: 'a.example' }, { type: 'ip', value: '10.0.0.5' }), acmeIdentifier(KEY_AUTH)], /exactly the iPAddress/],
    ['an IPv6 address', [san({ type: 'ip', value: '::1' }), acmeIdentifier(KEY_AUTH)], /exactly the iPAddress/],
    ['no subjectAltName', [acmeIdentifier(KEY_AUTH)], /no subjectAltName/],
    ['no acmeIdentifier', [san({ type: 'ip', value: '10.0.0.5' })], /no acmeIdentifier/],
    ['a non-critical acmeIdentifier', [san({ type: 'ip', value: '10.0.0.5' }), acmeIdentifier(KEY_AUTH, false)], /critical/],
    ['a digest of another key authorization', [san({ type: 'ip', value: '10.0.0.5' }), acmeIdentifier('other.thumbprint')], /digest/],
    ['an acmeIdentifier that is an INTEGER', [san({ type: 'ip', value: '10.0.0.5' }), acmeIdentifier(KEY_AUTH, true, Buffer.from([0x02, 0x01, 0x05]))], /OCTET STRING/],
  ])('refuses %s', async (_name, extensions, detail) => {
    const outcome = checkCertificate('10.0.0.5', await certificate(extensions), KEY_AUTH);
    expect(outcome.valid).toBe(false);
    expect(outcome.valid ? undefined : outcome.problem).toMatchObject({ type: 'incorrectResponse', detail: expect.stringMatching(detail) });
  });
});

describe('authorityKeyIdentifierOf', () => {
  it('reads the keyIdentifier that @peculiar/x509 wrote, and nothing when there is none', async () => {
    const keyIdentifier = 'a1b2c3d4e5f60718293a4b5c6d7e8f9011223344';
    const withAki = await certificate([new x509.AuthorityKeyIdentifierExtension(keyIdentifier)]);
    expect(authorityKeyIdentifierOf(withAki.toString()).toString('hex')).toBe(keyIdentifier);
    expect(authorityKeyIdentifierOf((await certificate([san({ type: 'ip', value: '10.0.0.5' })])).toString())).toHaveLength(0);
  });
});
