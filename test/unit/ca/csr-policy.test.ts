import { createHash } from 'node:crypto';
import { CSR_PROFILES, severalIpsProfile } from '../../../src/ca/csr-profiles.js';
import { describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { validateCsr } from '../../../src/ca/csr-policy.js';
import type { CsrPolicy } from '../../../src/ca/csr-policy.js';
import { parseCsr } from '../../../src/ca/csr.js';
import { isCaError } from '../../../src/ca/errors.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import {
  buildCsr,
  cnName,
  derPrintable,
  derUtf8,
  extensionRequest,
  keyUsageExtension,
  nameOf,
  OIDS,
  readCsrFixture,
  sanExtension,
  gn,
  seq,
  set,
  derOid,
  serverAuthExtension,
  testKey,
} from '../../support/csr-factory.js';

const smsgate: CsrPolicy = { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.smsgate };
const multi: CsrPolicy = { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.acme };

/** The SubjectPublicKeyInfo as an independent parser (@peculiar/asn1-csr) sees it. */
function spkiOf(pem: string): Uint8Array {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const csr = AsnConvert.parse(der, CertificationRequest);
  return new Uint8Array(AsnConvert.serialize(csr.certificationRequestInfo.subjectPKInfo));
}

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isCaError(error)) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('validateCsr accepts real requests', () => {
  it('accepts the seed fixture (RSA 2048, CN = SAN = 192.168.1.2, nonRepudiation KU)', () => {
    const pem = readCsrFixture('seed-request-192.168.1.2.csr');
    const result = validateCsr(pem, smsgate);
    expect(result.ips).toEqual(['192.168.1.2']);
    expect(result.key).toEqual({ kind: 'rsa', bits: 2048 });
    expect(Buffer.from(result.spki).equals(Buffer.from(spkiOf(pem)))).toBe(true);
  });

  it('accepts the request made by the documented openssl steps (genrsa 2048 + server.cnf + req)', () => {
    const pem = readCsrFixture('docs-rsa2048-192.168.1.10.csr');
    const result = validateCsr(pem, smsgate);
    expect(result.ips).toEqual(['192.168.1.10']);
    expect(result.key).toEqual({ kind: 'rsa', bits: 2048 });
  });

  it('accepts the documented command on OpenSSL < 3.2 (no SAN at all): the CN is the one IP', () => {
    const pem = readCsrFixture('docs-openssl30-no-san.csr');
    expect(validateCsr(pem, smsgate).ips).toEqual(['192.168.1.10']);
  });

  it('refuses a SAN-less request outside the smsgate shape, with a hint how to add the SAN', () => {
    const pem = readCsrFixture('docs-openssl30-no-san.csr');
    const multi = { ...smsgate, profile: CSR_PROFILES.acme };
    expect(() => validateCsr(pem, multi)).toThrowError(/-reqexts v3_req/);
    expect(reasonOf(() => validateCsr(pem, multi))).toBe('identifier_missing');
  });

  it.each([
    ['p256-10.0.0.5.csr', '10.0.0.5', { kind: 'ec', curve: 'P-256' }],
    ['p384-172.16.5.4.csr', '172.16.5.4', { kind: 'ec', curve: 'P-384' }],
    ['rsa3072-10.20.30.40.csr', '10.20.30.40', { kind: 'rsa', bits: 3072 }],
    ['rsa4096-192.168.200.1.csr', '192.168.200.1', { kind: 'rsa', bits: 4096 }],
  ])('accepts the openssl fixture %s', (file, ip, key) => {
    const pem = readCsrFixture(file);
    const result = validateCsr(pem, smsgate);
    expect(result.ips).toEqual([ip]);
    expect(result.key).toEqual(key);
    expect(Buffer.from(result.spki).equals(Buffer.from(spkiOf(pem)))).toBe(true);
  });

  it('accepts a P-256 request shaped like the SMSGate Go CLI makes (PrintableString CN, KU, EKU serverAuth, SAN)', () => {
    const key = testKey('p256');
    const { pem } = buildCsr({
      key,
      subject: nameOf([OIDS.commonName, derPrintable('192.168.1.10')]),
      extensions: [keyUsageExtension(), serverAuthExtension()],
    });
    const result = validateCsr(pem, smsgate);
    expect(result).toEqual({ spki: key.spki, key: { kind: 'ec', curve: 'P-256' }, ips: ['192.168.1.10'], ignoredExtensions: [] });
  });

  it.each(['sha256', 'sha384', 'sha512'] as const)('accepts RSA and ECDSA signatures with %s', (hash) => {
    expect(validateCsr(buildCsr({ key: testKey('rsa2048'), hash }).pem, smsgate).ips).toEqual(['192.168.1.10']);
    expect(validateCsr(buildCsr({ key: testKey('p384'), hash }).pem, smsgate).key).toEqual({ kind: 'ec', curve: 'P-384' });
  });

  it('tolerates other subject attributes and other attributes (challengePassword), and copies none of them', () => {
    const subject = nameOf([OIDS.country, derPrintable('DE')], [OIDS.organization, derUtf8('Ümlaut GmbH')], [OIDS.commonName, derUtf8('10.1.2.3')]);
    const attributes = [
      seq(derOid(OIDS.challengePassword), set(derUtf8('secret'))),
      extensionRequest(sanExtension(gn.ip('10.1.2.3')), keyUsageExtension()),
    ];
    const result = validateCsr(buildCsr({ subject, attributes }).pem, smsgate);
    expect(Object.keys(result).sort()).toEqual(['ignoredExtensions', 'ips', 'key', 'spki']);
    expect(result.ignoredExtensions).toEqual([]);
    expect(result.ips).toEqual(['10.1.2.3']);
  });

  it('accepts the legacy "NEW CERTIFICATE REQUEST" label, CRLF line ends and surrounding whitespace', () => {
    const { pem } = buildCsr();
    const legacy = pem.replaceAll('CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST');
    expect(validateCsr(legacy, smsgate).ips).toEqual(['192.168.1.10']);
    expect(validateCsr(`\r\n  ${pem.replaceAll('\n', '\r\n')}\t\n`, smsgate).ips).toEqual(['192.168.1.10']);
  });

  it('accepts loopback only when the allowed ranges include it', () => {
    const { pem } = buildCsr({ ips: ['127.0.0.1'] });
    expect(reasonOf(() => validateCsr(pem, smsgate))).toBe('identifier_not_allowed');
    const withLoopback = Ipv4RangeSet.parse('127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16');
    expect(validateCsr(pem, { allowedRanges: withLoopback, profile: CSR_PROFILES.smsgate }).ips).toEqual(['127.0.0.1']);
  });

  it('returns its own copy of the exact SubjectPublicKeyInfo bytes', () => {
    const key = testKey('p256');
    const result = validateCsr(buildCsr({ key }).pem, smsgate);
    expect(result.spki).toEqual(key.spki);
    expect(result.spki.byteLength).toBe(result.spki.buffer.byteLength);
  });
});

describe("validateCsr in the 'multi' shape (ACME, Kubernetes)", () => {
  it('accepts what uacme sends: several IPs, the first one also as CN', () => {
    const pem = readCsrFixture('multi-p256-10.0.0.1-10.0.0.2.csr');
    expect(validateCsr(pem, multi).ips).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(reasonOf(() => validateCsr(pem, smsgate))).toBe('identifier_too_many');
  });

  it('accepts an empty subject, or a CN equal to any one of the IPs', () => {
    const ips = ['10.0.0.1', '172.16.0.9', '192.168.7.7'];
    expect(validateCsr(buildCsr({ ips, subject: seq() }).pem, multi).ips).toEqual(ips);
    expect(validateCsr(buildCsr({ ips, subject: cnName('192.168.7.7') }).pem, multi).ips).toEqual(ips);
  });

  it("honours the profile's maximum: 100 for ACME and Kubernetes", () => {
    const ips = Array.from({ length: 100 }, (_, i) => `10.9.${i}.1`);
    expect(validateCsr(buildCsr({ ips, subject: seq() }).pem, multi).ips).toHaveLength(100);
    const tooMany = buildCsr({ ips: [...ips, '10.10.0.1'], subject: seq() }).pem;
    expect(reasonOf(() => validateCsr(tooMany, multi))).toBe('identifier_too_many');
    const three = buildCsr({ ips: ips.slice(0, 3), subject: seq() }).pem;
    expect(reasonOf(() => validateCsr(three, { ...multi, profile: severalIpsProfile('two', 2) }))).toBe('identifier_too_many');
  });
});

describe('parseCsr (structure only)', () => {
  it('gives ACME the IPs and CN without applying the policy', () => {
    const { pem, info } = buildCsr({ ips: ['8.8.8.8', '10.0.0.1'], subject: cnName('8.8.8.8') });
    const parsed = parseCsr(pem);
    expect(parsed.ipAddresses).toEqual(['8.8.8.8', '10.0.0.1']);
    expect(parsed.subject.commonNames).toEqual(['8.8.8.8']);
    expect(createHash('sha256').update(parsed.info).digest('hex')).toBe(createHash('sha256').update(info).digest('hex'));
  });

  it('still refuses what is not strict PEM/DER', () => {
    expect(reasonOf(() => parseCsr('nonsense'))).toBe('pem_invalid');
  });
});
