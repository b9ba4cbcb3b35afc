import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate as AsnCertificate, Version } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, loadCaMaterial, type CaMaterial } from '../../../src/ca/ca-material.js';
import { encodeTbs, signTbs } from '../../../src/ca/certificate-assembly.js';
import { readCertificate, readSubjectKeyIdentifier } from '../../../src/ca/certificate-reader.js';
import { integerFromNumber } from '../../../src/ca/der.js';
import { extendedKeyUsageValue, extension, keyIdentifierOf, organizationAndCommonName } from '../../../src/ca/extensions.js';
import { OID } from '../../../src/ca/oids.js';
import { encodeCertificatePem } from '../../../src/ca/pem.js';
import { intermediateExtensions } from '../../../src/ca/profile.js';
import { signatureAlgorithmFor } from '../../../src/ca/signature-algorithm.js';
import { fixedClock } from '../../../src/shared/clock.js';
import { CaError } from '../../../src/ca/errors.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import { generateKeyPair, publicKeyKindOfAlgorithm } from '../../../src/ca/key-generation.js';
import { LeafSigner, type LeafRequest } from '../../../src/ca/leaf-signer.js';
import type { KeyAlgorithm, SubjectKey } from '../../../src/ca/types.js';
import { testCa } from '../../support/test-ca.js';

x509.cryptoProvider.set(globalThis.crypto);

const NOW = new Date('2030-03-01T12:34:56.789Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const RANGES = Ipv4RangeSet.parse('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8');
const clock = fixedClock(NOW);

function materialFor(keyAlgorithm: KeyAlgorithm): CaMaterial {
  return testCa({ keyAlgorithm, allowedRanges: RANGES, clock });
}

function subjectKey(algorithm: KeyAlgorithm): SubjectKey {
  return { spki: generateKeyPair(algorithm).spki, key: publicKeyKindOfAlgorithm(algorithm) };
}

/** Deterministic serial randomness: 0x11, 0x12, … per call. */
function steppingRandom(): (size: number) => Uint8Array {
  let next = 0x11;
  return (size) => new Uint8Array(size).fill(next++);
}

function reasonOf(action: () => unknown): string {
  try {
    action();
    return 'no error';
  } catch (error) {
    return error instanceof CaError ? error.reason : `not a CaError: ${String(error)}`;
  }
}

const hex = (bytes: ArrayBuffer | Uint8Array): string => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');

let p256: CaMaterial;
let p256Signer: LeafSigner;

beforeAll(() => {
  p256 = materialFor('ecdsa-p256');
  p256Signer = new LeafSigner(p256, { clock, randomBytes: steppingRandom() });
});

describe('LeafSigner.issue: the leaf profile', () => {
  it.each(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as const)('writes every field of the profile for a %s subject key', async (algorithm) => {
    const subject = subjectKey(algorithm);
    const ips = ['192.168.1.10', '10.1.2.3', '127.0.0.1'];
    const issued = p256Signer.issue({ subject, ips, type: 'private_server' });
    const cert = new x509.X509Certificate(issued.der);
    const asn = AsnConvert.parse(issued.der, AsnCertificate);
    const intermediate = new x509.X509Certificate(p256.signerCertificatePem);

    expect(asn.tbsCertificate.version).toBe(Version.v3);
    expect(asn.tbsCertificate.subject).toHaveLength(0);
    expect(hex(AsnConvert.serialize(asn.tbsCertificate.subject))).toBe('3000');
    expect(cert.issuer).toBe(intermediate.subject);
    expect(hex(new Uint8Array(AsnConvert.serialize(asn.tbsCertificate.subjectPublicKeyInfo)))).toBe(hex(subject.spki));

    expect(cert.serialNumber).toBe(issued.serialNumber);
    expect(issued.serialNumber).toMatch(/^02[0-9a-f]{30}$/);

    expect(cert.notBefore.getTime()).toBe(new Date('2030-03-01T11:34:56Z').getTime());
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(365 * DAY);
    expect(issued.notBefore).toEqual(cert.notBefore);
    expect(issued.notAfter).toEqual(cert.notAfter);

    expect(cert.extensions.map((ext) => ext.type).sort()).toEqual(
      ['2.5.29.14', '2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.35', '2.5.29.37'].sort(),
    );
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.critical).toBe(true);
    expect(san.names.items.map((name) => [name.type, name.value])).toEqual(ips.map((ip) => ['ip', ip]));
    expect(issued.ips).toEqual(ips);

    const keyUsage = cert.getExtension(x509.KeyUsagesExtension)!;
    expect(keyUsage.critical).toBe(true);
    const expectedUsage =
      algorithm === 'rsa-2048'
        ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
        : x509.KeyUsageFlags.digitalSignature;
    expect(keyUsage.usages).toBe(expectedUsage);

    const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)!;
    expect(eku.critical).toBe(false);
    expect(eku.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);

    const basic = cert.getExtension(x509.BasicConstraintsExtension)!;
    expect(basic.critical).toBe(true);
    expect(basic.ca).toBe(false);
    expect(basic.pathLength).toBeUndefined();
    expect(hex(basic.value)).toBe('3000');

    const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension)!;
    expect(aki.critical).toBe(false);
    expect(aki.certId).toBeUndefined();
    expect(aki.keyId).toBe(intermediate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);

    const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension)!;
    expect(ski.keyId).toBe(hex(await cert.publicKey.getKeyIdentifier()));

    expect(asn.signatureAlgorithm.algorithm).toBe('1.2.840.10045.4.3.2');
    expect(asn.tbsCertificate.signature.algorithm).toBe('1.2.840.10045.4.3.2');
    // ecdsa-with-SHA256 without parameters, identical in the TBS and the outer Certificate.
    expect(hex(issued.der).split('300a06082a8648ce3d040302')).toHaveLength(3);
    expect(await cert.verify({ publicKey: intermediate.publicKey, signatureOnly: true })).toBe(true);
    expect(await cert.verify({ publicKey: new x509.X509Certificate(p256.rootPem).publicKey, signatureOnly: true })).toBe(false);
  });

  it('puts the type in the first serial byte and the injected random bytes after it', () => {
    const signer = new LeafSigner(p256, { clock, randomBytes: (size) => new Uint8Array(size).fill(0xee) });
    const subject = subjectKey('ecdsa-p256');
    const webhook = signer.issue({ subject, ips: ['10.0.0.1'], type: 'webhook' });
    expect(webhook.serialNumber).toBe('01' + 'ee'.repeat(15));
    expect(webhook.type).toBe('webhook');
    expect(new x509.X509Certificate(webhook.der).serialNumber).toBe(webhook.serialNumber);
  });

  it('returns PEM and a chain of leaf + intermediate', () => {
    const issued = p256Signer.issue({ subject: subjectKey('ecdsa-p256'), ips: ['10.0.0.1'], type: 'webhook' });
    expect(issued.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
    expect(new x509.X509Certificate(issued.pem).serialNumber).toBe(issued.serialNumber);
    expect(issued.chainPem).toBe(issued.pem + p256.signerCertificatePem);
  });

  it('writes each IP once, in the order first given', () => {
    const issued = p256Signer.issue({ subject: subjectKey('ecdsa-p256'), ips: ['10.0.0.2', '10.0.0.1', '10.0.0.2'], type: 'webhook' });
    const san = new x509.X509Certificate(issued.der).getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.names.items.map((name) => name.value)).toEqual(['10.0.0.2', '10.0.0.1']);
    expect(issued.ips).toEqual(['10.0.0.2', '10.0.0.1']);
  });

  it('honours a requested validity window', () => {
    const notBefore = new Date('2030-04-01T00:00:00Z');
    const notAfter = new Date('2030-05-01T00:00:00.500Z');
    const issued = p256Signer.issue({ subject: subjectKey('ecdsa-p256'), ips: ['10.0.0.1'], type: 'webhook', notBefore, notAfter });
    const cert = new x509.X509Certificate(issued.der);
    expect(cert.notBefore.toISOString()).toBe('2030-04-01T00:00:00.000Z');
    expect(cert.notAfter.toISOString()).toBe('2030-05-01T00:00:00.000Z');
    expect(issued.notAfter.toISOString()).toBe('2030-05-01T00:00:00.000Z');
  });

  it.each([
    ['ecdsa-p384', '1.2.840.10045.4.3.3', '300a06082a8648ce3d040303'],
    ['rsa-2048', '1.2.840.113549.1.1.11', '300d06092a864886f70d01010b0500'],
  ] as const)('a %s CA signs with %s (AlgorithmIdentifier %s in TBS and outer)', async (caAlgorithm, signatureOid, identifierHex) => {
    const material = materialFor(caAlgorithm);
    const issued = new LeafSigner(material, { clock }).issue({ subject: subjectKey('ecdsa-p256'), ips: ['10.0.0.1'], type: 'webhook' });
    const asn = AsnConvert.parse(issued.der, AsnCertificate);
    expect(asn.signatureAlgorithm.algorithm).toBe(signatureOid);
    expect(asn.tbsCertificate.signature.algorithm).toBe(signatureOid);
    expect(hex(issued.der).split(identifierHex)).toHaveLength(3);
    const caCert = new x509.X509Certificate(material.signerCertificatePem);
    expect(await new x509.X509Certificate(issued.der).verify({ publicKey: caCert.publicKey, signatureOnly: true })).toBe(true);
  });
});

describe('LeafSigner.issue: refusals', () => {
  let base: LeafRequest;
  beforeAll(() => {
    base = { subject: subjectKey('ecdsa-p256'), ips: ['192.168.1.10'], type: 'webhook' };
  });

  it.each([
    ['an IP outside the allowed ranges', { ips: ['192.168.1.10', '8.8.8.8'] }, 'identifier_not_allowed'],
    ['a CGNAT IP', { ips: ['100.64.0.1'] }, 'identifier_not_allowed'],
    ['no IP at all', { ips: [] }, 'identifier_missing'],
    ['a malformed IP', { ips: ['192.168.001.10'] }, 'identifier_malformed'],
    ['an IPv6 address', { ips: ['::1'] }, 'identifier_malformed'],
    ['notAfter before notBefore', { notBefore: new Date('2030-04-01T00:00:00Z'), notAfter: new Date('2030-03-31T00:00:00Z') }, 'validity_invalid'],
    ['notAfter equal to notBefore', { notBefore: new Date('2030-04-01T00:00:00Z'), notAfter: new Date('2030-04-01T00:00:00.900Z') }, 'validity_invalid'],
    ['a window over 365 days', { notBefore: new Date('2030-04-01T00:00:00Z'), notAfter: new Date('2031-04-01T00:00:01Z') }, 'validity_invalid'],
    ['a notAfter after the CA expires (a passing fault: the next intermediate cures it)', { notBefore: new Date('2034-12-01T00:00:00Z'), notAfter: new Date('2035-06-01T00:00:00Z') }, 'ca_unavailable'],
    ['a notBefore before the CA is valid', { notBefore: new Date('2029-01-01T00:00:00Z'), notAfter: new Date('2029-06-01T00:00:00Z') }, 'validity_invalid'],
    ['an invalid date', { notAfter: new Date('nope') }, 'validity_invalid'],
    ['an SPKI that is not DER', { subject: { spki: Uint8Array.of(0x30, 0x05, 1), key: { kind: 'ec', curve: 'P-256' } } }, 'der_invalid'],
    ['an SPKI whose algorithm contradicts the key kind', { subject: { spki: generateKeyPair('ecdsa-p256').spki, key: { kind: 'rsa', bits: 2048 } } }, 'der_invalid'],
    ['an unknown certificate type', { type: 'client' }, 'extension_invalid'],
  ] as const)('refuses %s', (_label, change, reason) => {
    expect(reasonOf(() => p256Signer.issue({ ...base, ...(change as Partial<LeafRequest>) }))).toBe(reason);
  });

  it('names the offending IP', () => {
    try {
      p256Signer.issue({ ...base, ips: ['8.8.8.8'] });
      expect.unreachable();
    } catch (error) {
      expect((error as CaError).value).toBe('8.8.8.8');
      expect((error as CaError).message).toContain('public address space');
    }
  });

  it('enforces material.allowedRanges, not only what the CA certificate permits', () => {
    const narrow = new LeafSigner({ ...p256, allowedRanges: Ipv4RangeSet.parse('10.0.0.0/8') }, { clock });
    expect(reasonOf(() => narrow.issue({ ...base, ips: ['192.168.1.10'] }))).toBe('identifier_not_allowed');
    expect(reasonOf(() => narrow.issue({ ...base, ips: ['10.9.9.9'] }))).toBe('no error');
  });

  it('refuses the default window once the CA has less than a year left, as ca_unavailable (retryable)', () => {
    const late = new LeafSigner(p256, { clock: fixedClock(new Date(p256.notAfter.getTime() - 100 * DAY)) });
    expect(reasonOf(() => late.issue(base))).toBe('ca_unavailable');
  });

  it('with shortLeavesNearExpiry, ends such a leaf with the CA, down to a day before its end', () => {
    const at = (daysLeft: number) => new LeafSigner(p256, { clock: fixedClock(new Date(p256.notAfter.getTime() - daysLeft * DAY)), shortLeavesNearExpiry: true });
    const issued = at(100).issue(base);
    expect(issued.notAfter).toEqual(p256.notAfter);
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(100 * DAY + HOUR);
    expect(at(1).issue(base).notAfter).toEqual(p256.notAfter);
    expect(reasonOf(() => at(0.5).issue(base))).toBe('ca_unavailable');
  });

  it('refuses everything once the CA has expired, whatever the window', () => {
    const expired = new LeafSigner(p256, { clock: fixedClock(new Date(p256.notAfter.getTime() + 1000)), shortLeavesNearExpiry: true });
    expect(reasonOf(() => expired.issue(base))).toBe('ca_unavailable');
  });

  it('starts the default window no earlier than the CA itself', () => {
    const early = new LeafSigner(p256, { clock: fixedClock(new Date(p256.notBefore.getTime() + 10 * 60 * 1000)) });
    const issued = early.issue(base);
    expect(issued.notBefore).toEqual(p256.notBefore);
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(365 * DAY);
  });
});

/**
 * A CA whose intermediate limits its extKeyUsage to serverAuth, as CAs created before clientAuth
 * was issued are; the root signs it as createCa would, only the extKeyUsage differs.
 */
function serverAuthOnlyCa(): CaMaterial {
  const ca = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: RANGES, clock });
  const root = loadCaMaterial({ certificatePem: ca.root.certificatePem, privateKeyPem: ca.root.privateKeyPem, allowedRanges: RANGES, clock });
  const rootFields = readCertificate(root.signerCertificateDer);
  const key = generateKeyPair('ecdsa-p256');
  const bothPurposes = extension(OID.extKeyUsage, false, extendedKeyUsageValue([OID.serverAuth, OID.clientAuth]));
  const serverOnly = extension(OID.extKeyUsage, false, extendedKeyUsageValue([OID.serverAuth]));
  const extensions = intermediateExtensions(keyIdentifierOf(key.spki), readSubjectKeyIdentifier(rootFields)!, RANGES).map((ext) => (hex(ext) === hex(bothPurposes) ? serverOnly : ext));
  expect(extensions.map(hex)).toContain(hex(serverOnly));
  const algorithm = signatureAlgorithmFor(root.signerKeyKind);
  const der = signTbs(
    encodeTbs({
      serialDer: integerFromNumber(77),
      signatureAlgorithmDer: algorithm.identifierDer,
      issuerDer: rootFields.subjectDer,
      notBefore: new Date('2030-03-01T11:00:00Z'),
      notAfter: new Date('2034-03-01T11:00:00Z'),
      subjectDer: organizationAndCommonName('smsgate-ca', 'Older Intermediate'),
      spkiDer: key.spki,
      extensions,
    }),
    { key: root.signerKey, algorithm },
  );
  return loadCaMaterial({ certificatePem: encodeCertificatePem(der), privateKeyPem: key.privateKeyPem, chainPem: ca.root.certificatePem, allowedRanges: RANGES, clock });
}

describe('LeafSigner.issue: extended key usages', () => {
  const usagesOf = (der: Uint8Array): string[] => new x509.X509Certificate(der).getExtension(x509.ExtendedKeyUsageExtension)!.usages.map(String);

  it('leaves the profile byte for byte as it was when only serverAuth is asked (or nothing)', () => {
    const subject = subjectKey('ecdsa-p256');
    const signer = (): LeafSigner => new LeafSigner(p256, { clock, randomBytes: steppingRandom() });
    const unasked = signer().issue({ subject, ips: ['10.0.0.1'], type: 'webhook' });
    const asked = signer().issue({ subject, ips: ['10.0.0.1'], type: 'webhook', extendedKeyUsages: ['serverAuth'] });
    // ECDSA signatures differ from one signing to the next; the signed content must not.
    const tbs = (der: Uint8Array): string => hex(AsnConvert.serialize(AsnConvert.parse(der, AsnCertificate).tbsCertificate));
    expect(tbs(asked.der)).toBe(tbs(unasked.der));
    expect(usagesOf(unasked.der)).toEqual([x509.ExtendedKeyUsage.serverAuth]);
    expect(unasked.extendedKeyUsages).toEqual(['serverAuth']);
  });

  it.each([
    [['clientAuth'], [x509.ExtendedKeyUsage.clientAuth]],
    [['serverAuth', 'clientAuth'], [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]],
    [['clientAuth', 'serverAuth', 'clientAuth'], [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]],
  ] as const)('writes %j as the extKeyUsage %j, non-critical, serverAuth first', (asked, written) => {
    const issued = p256Signer.issue({ subject: subjectKey('ecdsa-p256'), ips: ['10.0.0.1'], type: 'webhook', extendedKeyUsages: asked });
    const eku = new x509.X509Certificate(issued.der).getExtension(x509.ExtendedKeyUsageExtension)!;
    expect(eku.critical).toBe(false);
    expect(eku.usages.map(String)).toEqual([...written]);
    expect(issued.extendedKeyUsages).toEqual(written.length === 2 ? ['serverAuth', 'clientAuth'] : ['clientAuth']);
  });

  it('refuses no usage at all and a usage it does not issue', () => {
    const base = { subject: subjectKey('ecdsa-p256'), ips: ['10.0.0.1'], type: 'webhook' } as const;
    expect(reasonOf(() => p256Signer.issue({ ...base, extendedKeyUsages: [] }))).toBe('extension_invalid');
    expect(reasonOf(() => p256Signer.issue({ ...base, extendedKeyUsages: ['codeSigning' as 'serverAuth'] }))).toBe('extension_invalid');
  });

  it('refuses clientAuth from a signer whose own extKeyUsage is serverAuth only (the chain would not verify), and still signs serverAuth', () => {
    const older = new LeafSigner(serverAuthOnlyCa(), { clock });
    const base = { subject: subjectKey('ecdsa-p256'), ips: ['10.0.0.1'], type: 'webhook' } as const;
    expect(reasonOf(() => older.issue({ ...base, extendedKeyUsages: ['serverAuth', 'clientAuth'] }))).toBe('usage_not_permitted');
    expect(reasonOf(() => older.issue(base))).toBe('no error');
  });

  it('signs clientAuth from a signer without an extKeyUsage (any purpose), e.g. a root used directly', () => {
    const ca = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: RANGES, clock });
    const rootSigner = new LeafSigner(loadCaMaterial({ certificatePem: ca.root.certificatePem, privateKeyPem: ca.root.privateKeyPem, allowedRanges: RANGES, clock }), { clock });
    const issued = rootSigner.issue({ subject: subjectKey('ecdsa-p256'), ips: ['10.0.0.1'], type: 'webhook', extendedKeyUsages: ['clientAuth'] });
    expect(usagesOf(issued.der)).toEqual([x509.ExtendedKeyUsage.clientAuth]);
  });
});

describe('LeafSigner subject key identifier', () => {
  it('is the SHA-1 of the subjectPublicKey bits (RFC 5280 method 1)', () => {
    const subject = subjectKey('ecdsa-p256');
    const issued = p256Signer.issue({ subject, ips: ['10.0.0.1'], type: 'webhook' });
    const ski = new x509.X509Certificate(issued.der).getExtension(x509.SubjectKeyIdentifierExtension)!;
    // For an uncompressed P-256 point the SPKI ends with the 65 key bytes after a 26-byte prefix.
    const point = subject.spki.subarray(subject.spki.length - 65);
    expect(ski.keyId).toBe(createHash('sha1').update(point).digest('hex'));
  });
});
