import { verify, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AuthorityKeyIdentifier, Certificate, CertificateList, CRLNumber, CRLReason, id_ce_authorityKeyIdentifier, id_ce_cRLNumber, id_ce_cRLReasons, id_ce_subjectKeyIdentifier, Name, SubjectKeyIdentifier, Version } from '@peculiar/asn1-x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CaMaterial } from '../../../src/ca/ca-material.js';
import { fixedClock } from '../../../src/shared/clock.js';
import { CRL_DEFAULT_VALIDITY_MS, CrlSigner, type CrlEntry } from '../../../src/ca/crl.js';
import { CaError } from '../../../src/ca/errors.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import type { KeyAlgorithm } from '../../../src/ca/types.js';
import { testCa } from '../../support/test-ca.js';

const NOW = new Date('2030-03-01T12:34:56.789Z');
const RANGES = Ipv4RangeSet.parse('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16');
const HOUR = 3_600_000;

function materialFor(keyAlgorithm: KeyAlgorithm, at: Date = NOW): CaMaterial {
  return testCa({ keyAlgorithm, allowedRanges: RANGES, clock: fixedClock(at) });
}

function parse(der: Uint8Array): CertificateList {
  return AsnConvert.parse(der, CertificateList);
}

function extensionValue<T>(extensions: ReadonlyArray<{ extnID: string; critical: boolean; extnValue: { buffer: ArrayBuffer } }> | undefined, oid: string, type: new () => T): { value: T; critical: boolean } {
  const found = extensions?.find((extension) => extension.extnID === oid);
  if (!found) throw new Error(`extension ${oid} is missing`);
  return { value: AsnConvert.parse(found.extnValue.buffer, type), critical: found.critical };
}

const hex = (bytes: ArrayBuffer | Uint8Array): string => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');

/** The signer certificate's subject Name (DER) and SKI, read with the peculiar parser, not the core's. */
function signerFacts(material: CaMaterial): { subjectDer: string; ski: string } {
  const certificate = AsnConvert.parse(material.signerCertificateDer, Certificate);
  const ski = extensionValue(certificate.tbsCertificate.extensions, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier).value;
  return { subjectDer: hex(AsnConvert.serialize(certificate.tbsCertificate.subject)), ski: hex(ski.buffer) };
}

const ENTRIES: CrlEntry[] = [
  { serialNumber: '02aabbccddeeff00112233445566778899'.slice(0, 32), revokedAt: new Date('2030-02-01T00:00:00.999Z'), reason: 1 },
  { serialNumber: '80' + '01'.repeat(15), revokedAt: new Date('2030-02-02T10:20:30.000Z'), reason: 0 },
  { serialNumber: '0201020304050607080910111213141516'.slice(0, 32), revokedAt: new Date('2030-02-03T00:00:00.000Z'), reason: 4 },
];

let p256: CaMaterial;

beforeAll(() => {
  p256 = materialFor('ecdsa-p256');
});

describe('CrlSigner: RFC 5280 v2 CRL bytes', () => {
  it('writes version, signature, issuer, both updates and every entry, and the signature verifies', () => {
    const signed = new CrlSigner(p256, { clock: fixedClock(NOW) }).sign({ revoked: ENTRIES, crlNumber: 7 });
    const crl = parse(signed.der);
    const tbs = crl.tbsCertList;
    expect(Buffer.from(AsnConvert.serialize(crl)).equals(Buffer.from(signed.der))).toBe(true);
    expect(tbs.version).toBe(Version.v2);
    expect(tbs.signature.algorithm).toBe('1.2.840.10045.4.3.2');
    expect(tbs.signature.parameters).toBeUndefined();
    expect(crl.signatureAlgorithm.algorithm).toBe('1.2.840.10045.4.3.2');
    expect(hex(AsnConvert.serialize(tbs.issuer))).toBe(signerFacts(p256).subjectDer);
    expect(AsnConvert.parse(AsnConvert.serialize(tbs.issuer), Name).length).toBe(2);

    const thisUpdate = new Date('2030-03-01T12:34:56.000Z');
    expect(tbs.thisUpdate.utcTime).toEqual(thisUpdate);
    expect(tbs.nextUpdate?.utcTime).toEqual(new Date(thisUpdate.getTime() + CRL_DEFAULT_VALIDITY_MS));
    expect(signed).toMatchObject({ crlNumber: 7, thisUpdate, nextUpdate: new Date(thisUpdate.getTime() + 24 * HOUR), revokedCount: 3 });

    const entries = tbs.revokedCertificates ?? [];
    expect(entries.map((entry) => hex(entry.userCertificate))).toEqual([ENTRIES[0]!.serialNumber, `00${ENTRIES[1]!.serialNumber}`, ENTRIES[2]!.serialNumber]);
    expect(entries.map((entry) => entry.revocationDate.utcTime)).toEqual([
      new Date('2030-02-01T00:00:00.000Z'),
      new Date('2030-02-02T10:20:30.000Z'),
      new Date('2030-02-03T00:00:00.000Z'),
    ]);

    const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
    const publicKey = new X509Certificate(p256.signerCertificateDer).publicKey;
    expect(verify('sha256', tbsDer, publicKey, Buffer.from(crl.signature))).toBe(true);
    expect(verify('sha256', Buffer.concat([tbsDer, Buffer.of(0)]), publicKey, Buffer.from(crl.signature))).toBe(false);
  });

  it('gives a reasonCode entry extension (non-critical ENUMERATED) unless the reason is unspecified', () => {
    const entries = parse(new CrlSigner(p256, { clock: fixedClock(NOW) }).sign({ revoked: ENTRIES, crlNumber: 1 }).der).tbsCertList.revokedCertificates!;
    const reasonOf = (index: number) => extensionValue(entries[index]!.crlEntryExtensions, id_ce_cRLReasons, CRLReason);
    expect(reasonOf(0)).toEqual({ value: new CRLReason(1), critical: false });
    expect(entries[1]!.crlEntryExtensions).toBeUndefined();
    expect(reasonOf(2).value.reason).toBe(4);
    expect(entries[0]!.crlEntryExtensions).toHaveLength(1);
  });

  it('carries exactly AKI (= the signer SKI) and cRLNumber, both non-critical', () => {
    const extensions = parse(new CrlSigner(p256, { clock: fixedClock(NOW) }).sign({ revoked: [], crlNumber: 2 ** 40 + 3 }).der).tbsCertList.crlExtensions;
    expect(extensions?.map((extension) => extension.extnID)).toEqual([id_ce_authorityKeyIdentifier, id_ce_cRLNumber]);
    const aki = extensionValue(extensions, id_ce_authorityKeyIdentifier, AuthorityKeyIdentifier);
    expect(aki.critical).toBe(false);
    expect(hex(aki.value.keyIdentifier!.buffer)).toBe(signerFacts(p256).ski);
    expect(aki.value.authorityCertIssuer).toBeUndefined();
    const crlNumber = extensions!.find((extension) => extension.extnID === id_ce_cRLNumber)!;
    expect(crlNumber.critical).toBe(false);
    expect(hex(crlNumber.extnValue.buffer)).toBe('0206010000000003');
  });

  it('writes a small cRLNumber as a minimal INTEGER', () => {
    const extensions = parse(new CrlSigner(p256, { clock: fixedClock(NOW) }).sign({ revoked: [], crlNumber: 200 }).der).tbsCertList.crlExtensions;
    expect(extensionValue(extensions, id_ce_cRLNumber, CRLNumber).value).toEqual(new CRLNumber(200));
    expect(hex(extensions!.find((extension) => extension.extnID === id_ce_cRLNumber)!.extnValue.buffer)).toBe('020200c8');
  });

  it('omits revokedCertificates entirely when nothing is revoked (RFC 5280 §5.1.2.6)', () => {
    const signed = new CrlSigner(p256, { clock: fixedClock(NOW) }).sign({ revoked: [], crlNumber: 0 });
    const tbs = parse(signed.der).tbsCertList;
    expect(tbs.revokedCertificates).toBeUndefined();
    expect(signed.revokedCount).toBe(0);
    // After nextUpdate (UTCTime, tag 0x17) comes the [0] crlExtensions, not an empty SEQUENCE.
    const der = Buffer.from(AsnConvert.serialize(tbs));
    const nextUpdateAt = der.indexOf(Buffer.from('300302123456Z', 'latin1'));
    expect(nextUpdateAt).toBeGreaterThan(0);
    expect(der[nextUpdateAt + 13]).toBe(0xa0);
  });

  it('writes GeneralizedTime from 2050 on and UTCTime before (RFC 5280 §5.1.2.4)', () => {
    const late = new Date('2049-12-31T12:00:00.000Z');
    const material = materialFor('ecdsa-p256', late);
    const tbs = parse(new CrlSigner(material, { clock: fixedClock(late) }).sign({ revoked: [{ serialNumber: '01ff', revokedAt: new Date('2050-01-01T00:00:01Z'), reason: 5 }], crlNumber: 1 }).der).tbsCertList;
    expect(tbs.thisUpdate.utcTime).toEqual(late);
    expect(tbs.thisUpdate.generalTime).toBeUndefined();
    expect(tbs.nextUpdate?.generalTime).toEqual(new Date('2050-01-01T12:00:00.000Z'));
    expect(tbs.nextUpdate?.utcTime).toBeUndefined();
    expect(tbs.revokedCertificates?.[0]?.revocationDate.generalTime).toEqual(new Date('2050-01-01T00:00:01Z'));
  });

  it('honours the validity and signs with sha256WithRSAEncryption (NULL parameters) for an RSA CA', () => {
    const rsa = materialFor('rsa-2048');
    const signed = new CrlSigner(rsa, { clock: fixedClock(NOW), validityMs: 2 * HOUR }).sign({ revoked: ENTRIES.slice(0, 1), crlNumber: 3 });
    const crl = parse(signed.der);
    expect(crl.tbsCertList.signature.algorithm).toBe('1.2.840.113549.1.1.11');
    expect(hex(AsnConvert.serialize(crl.tbsCertList.signature))).toBe('300d06092a864886f70d01010b0500');
    expect(signed.nextUpdate.getTime() - signed.thisUpdate.getTime()).toBe(2 * HOUR);
    const publicKey = new X509Certificate(rsa.signerCertificateDer).publicKey;
    expect(verify('sha256', Buffer.from(AsnConvert.serialize(crl.tbsCertList)), publicKey, Buffer.from(crl.signature))).toBe(true);
  });

  it('PEM is the DER under "X509 CRL"', () => {
    const signed = new CrlSigner(p256, { clock: fixedClock(NOW) }).sign({ revoked: ENTRIES, crlNumber: 9 });
    expect(signed.pem.startsWith('-----BEGIN X509 CRL-----\n')).toBe(true);
    expect(signed.pem.endsWith('-----END X509 CRL-----\n')).toBe(true);
    expect(Buffer.from(signed.pem.replace(/-----[A-Z0-9 ]+-----|\n/g, ''), 'base64').equals(Buffer.from(signed.der))).toBe(true);
  });
});

describe('CrlSigner refusals', () => {
  function reasonOf(action: () => unknown): string {
    try {
      action();
      return 'no error';
    } catch (error) {
      return error instanceof CaError ? error.reason : `not a CaError: ${String(error)}`;
    }
  }
  const signer = () => new CrlSigner(p256, { clock: fixedClock(NOW) });
  const entry = (overrides: Partial<CrlEntry>): CrlEntry => ({ serialNumber: '01aa', revokedAt: NOW, reason: 1, ...overrides });

  it.each([7, 8, 11, -1, 1.5])('refuses CRLReason %d on a complete CRL', (reason) => {
    expect(reasonOf(() => signer().sign({ revoked: [entry({ reason })], crlNumber: 1 }))).toBe('extension_invalid');
  });

  it.each(['', 'abc', '01AA', '0x01', 'zz', '01'.repeat(21)])('refuses the serial %j', (serialNumber) => {
    expect(reasonOf(() => signer().sign({ revoked: [entry({ serialNumber })], crlNumber: 1 }))).toBe('extension_invalid');
  });

  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 2])('refuses the cRLNumber %d', (crlNumber) => {
    expect(reasonOf(() => signer().sign({ revoked: [], crlNumber }))).toBe('extension_invalid');
  });

  it('refuses a validity under one second', () => {
    expect(reasonOf(() => new CrlSigner(p256, { validityMs: 999 }))).toBe('validity_invalid');
    expect(reasonOf(() => new CrlSigner(p256, { validityMs: 1000 }))).toBe('no error');
  });
});
