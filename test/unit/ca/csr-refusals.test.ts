import { describe, expect, it } from 'vitest';
import { CSR_PROFILES } from '../../../src/ca/csr-profiles.js';
import { MAX_CSR_PEM_LENGTH, validateCsr } from '../../../src/ca/csr-policy.js';
import type { CsrPolicy } from '../../../src/ca/csr-policy.js';
import { CaError } from '../../../src/ca/errors.js';
import type { CaErrorReason } from '../../../src/ca/errors.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import {
  basicConstraintsExtension,
  buildCsr,
  cnName,
  concat,
  derBitString,
  derBoolean,
  derInteger,
  derNull,
  derOctets,
  derOid,
  derUtf8,
  extension,
  extensionRequest,
  freshKey,
  gn,
  keyUsageExtension,
  nameOf,
  OIDS,
  sanExtension,
  seq,
  signRequest,
  testKey,
  tlv,
  toPem,
} from '../../support/csr-factory.js';

const smsgate: CsrPolicy = { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.smsgate };
const multi: CsrPolicy = { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.acme };

interface Refusal {
  readonly name: string;
  readonly pem: () => string;
  readonly reason: CaErrorReason;
  /** Text the message must contain: the offending value, where there is one. */
  readonly mentions?: string;
  readonly policy?: CsrPolicy;
}

const ip = '192.168.1.10';
const csr = (spec: Parameters<typeof buildCsr>[0] = {}): string => buildCsr(spec).pem;
const onlyIp = (address: string): string => csr({ ips: [address], subject: cnName(address) });

/** The valid default CSR's DER with `edit` applied, re-armoured. */
function editedDer(edit: (der: Uint8Array) => Uint8Array): string {
  return toPem(edit(buildCsr().der));
}

/** A CSR whose CertificationRequestInfo is `parts`, correctly signed: only the part under test is wrong. */
function signedInfo(...parts: Uint8Array[]): string {
  return toPem(signRequest(seq(...parts), testKey('p256')));
}
const subject = (): Uint8Array => cnName(ip);
const attributes = (): Uint8Array => tlv(0xa0, extensionRequest(sanExtension(gn.ip(ip))));

function spkiWith(algorithm: Uint8Array, key: Uint8Array): Uint8Array {
  return seq(algorithm, derBitString(key));
}
const rsaSpki = (modulus: bigint): Uint8Array =>
  spkiWith(seq(derOid('1.2.840.113549.1.1.1'), derNull()), seq(derInteger(modulus), derInteger(65537)));
const p256Point = (): Uint8Array => testKey('p256').spki.subarray(-65);

const refusals: Refusal[] = [
  // identifiers
  { name: 'public IP 8.8.8.8', pem: () => onlyIp('8.8.8.8'), reason: 'identifier_not_allowed', mentions: '8.8.8.8 is in public address space' },
  { name: 'CGNAT 100.64.0.1', pem: () => onlyIp('100.64.0.1'), reason: 'identifier_not_allowed', mentions: '100.64.0.1 is in shared address space (CGNAT, RFC 6598) 100.64.0.0/10, not in the allowed ranges 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16' },
  { name: 'loopback 127.0.0.1 with default ranges', pem: () => onlyIp('127.0.0.1'), reason: 'identifier_not_allowed', mentions: '127.0.0.1 is in loopback 127.0.0.0/8' },
  { name: 'link-local 169.254.1.1', pem: () => onlyIp('169.254.1.1'), reason: 'identifier_not_allowed', mentions: 'link-local 169.254.0.0/16' },
  { name: '0.0.0.0', pem: () => onlyIp('0.0.0.0'), reason: 'identifier_not_allowed', mentions: '0.0.0.0 is in "this network"' },
  { name: '0.1.2.3', pem: () => onlyIp('0.1.2.3'), reason: 'identifier_not_allowed', mentions: '0.1.2.3' },
  { name: 'multicast 224.0.0.251', pem: () => onlyIp('224.0.0.251'), reason: 'identifier_not_allowed', mentions: '224.0.0.251 is in multicast' },
  { name: 'broadcast 255.255.255.255', pem: () => onlyIp('255.255.255.255'), reason: 'identifier_not_allowed', mentions: 'reserved 240.0.0.0/4' },
  {
    name: 'private 10.0.0.1 outside a narrowed range',
    pem: () => onlyIp('10.0.0.1'),
    reason: 'identifier_not_allowed',
    mentions: '10.0.0.1 is in private (RFC 1918) 10.0.0.0/8, not in the allowed ranges 192.168.0.0/16',
    policy: { allowedRanges: Ipv4RangeSet.parse('192.168.0.0/16'), profile: CSR_PROFILES.smsgate },
  },
  { name: 'IPv6 ::1', pem: () => csr({ san: [gn.ip('::1')] }), reason: 'identifier_unsupported', mentions: 'IPv6 address ::1' },
  { name: 'IPv6 2001:db8::7', pem: () => csr({ san: [gn.ip('2001:db8::7')] }), reason: 'identifier_unsupported', mentions: '2001:db8::7' },
  { name: 'IPv4-mapped ::ffff:192.168.1.1', pem: () => csr({ san: [gn.ip('::ffff:192.168.1.1')] }), reason: 'identifier_unsupported', mentions: '::ffff:192.168.1.1 (an IPv4-mapped' },
  { name: '5-byte iPAddress', pem: () => csr({ san: [gn.ipRaw(Uint8Array.of(192, 168, 1, 10, 0))] }), reason: 'identifier_malformed', mentions: '0xc0a8010a00' },
  { name: '8-byte iPAddress (address + mask)', pem: () => csr({ san: [gn.ipRaw(Uint8Array.of(192, 168, 1, 10, 255, 255, 255, 255))] }), reason: 'identifier_malformed', mentions: '8 bytes' },
  { name: 'DNS SAN alongside the IP', pem: () => csr({ san: [gn.ip(ip), gn.dns('printer.example.com')] }), reason: 'identifier_unsupported', mentions: 'DNS name "printer.example.com"' },
  { name: 'email SAN', pem: () => csr({ san: [gn.ip(ip), gn.email('admin@example.com')] }), reason: 'identifier_unsupported', mentions: 'admin@example.com' },
  { name: 'URI SAN', pem: () => csr({ san: [gn.uri('https://192.168.1.10/'), gn.ip(ip)] }), reason: 'identifier_unsupported', mentions: 'URI "https://192.168.1.10/"' },
  { name: 'otherName SAN (UPN)', pem: () => csr({ san: [gn.ip(ip), gn.otherName('1.3.6.1.4.1.311.20.2.3', derUtf8('a@b'))] }), reason: 'identifier_unsupported', mentions: '1.3.6.1.4.1.311.20.2.3' },
  { name: 'directoryName SAN', pem: () => csr({ san: [gn.ip(ip), gn.directoryName(cnName('x'))] }), reason: 'identifier_unsupported', mentions: 'directoryName' },
  { name: 'registeredID SAN', pem: () => csr({ san: [gn.ip(ip), gn.registeredId('1.2.3.4')] }), reason: 'identifier_unsupported', mentions: '1.2.3.4' },
  { name: 'two IPs in smsgate shape', pem: () => csr({ ips: [ip, '192.168.1.11'] }), reason: 'identifier_too_many', mentions: '2 IP addresses' },
  { name: 'the same IP twice (multi)', pem: () => csr({ ips: [ip, '10.0.0.1', ip] }), reason: 'identifier_malformed', mentions: `${ip} is requested more than once`, policy: multi },
  { name: 'no SAN and a CN that is not an IP', pem: () => csr({ san: null, subject: cnName('router.lan') }), reason: 'identifier_missing' },
  { name: 'no SAN (multi: the CN is never an identifier)', pem: () => csr({ san: null }), reason: 'identifier_missing', policy: multi },
  { name: 'no extensionRequest and no CN', pem: () => csr({ attributes: [], subject: new Uint8Array([0x30, 0x00]) }), reason: 'identifier_missing' },
  { name: 'no SAN and a non-canonical IP CN', pem: () => csr({ san: null, subject: cnName('192.168.001.10') }), reason: 'identifier_missing' },
  { name: 'no SAN and a public IP CN', pem: () => csr({ san: null, subject: cnName('8.8.8.8') }), reason: 'identifier_not_allowed', mentions: '8.8.8.8' },
  // subject
  { name: 'CN differs from the IP', pem: () => csr({ subject: cnName('192.168.1.11') }), reason: 'common_name_mismatch', mentions: '"192.168.1.11"' },
  { name: 'CN with a leading zero', pem: () => csr({ subject: cnName('192.168.001.10') }), reason: 'common_name_mismatch', mentions: '192.168.001.10' },
  { name: 'missing CN', pem: () => csr({ subject: nameOf([OIDS.organization, derUtf8('ACME')]) }), reason: 'common_name_mismatch', mentions: `CN=${ip}` },
  { name: 'empty subject in smsgate shape', pem: () => csr({ subject: seq() }), reason: 'common_name_mismatch' },
  { name: 'two CNs', pem: () => csr({ subject: cnName(ip, ip) }), reason: 'subject_unsupported', mentions: '2 common names' },
  { name: 'multi: CN not among the IPs', pem: () => csr({ ips: ['10.0.0.1', '10.0.0.2'], subject: cnName('10.0.0.3') }), reason: 'common_name_mismatch', mentions: '10.0.0.3', policy: multi },
  // extensions
  { name: 'CA:TRUE requested', pem: () => csr({ extensions: [basicConstraintsExtension(true)] }), reason: 'ca_requested', mentions: 'cA=TRUE' },
  { name: 'duplicate extension', pem: () => csr({ extensions: [keyUsageExtension(), keyUsageExtension()] }), reason: 'extension_invalid', mentions: 'keyUsage (2.5.29.15) appears more than once' },
  { name: 'two SAN extensions', pem: () => csr({ extensions: [sanExtension(gn.ip(ip))] }), reason: 'extension_invalid', mentions: 'subjectAltName' },
  { name: 'empty SAN', pem: () => csr({ san: [] }), reason: 'extension_invalid', mentions: 'empty' },
  { name: 'extnValue not an OCTET STRING (a broken envelope)', pem: () => csr({ extensions: [seq(derOid(OIDS.keyUsage), derBitString(Uint8Array.of(0x80), 7))] }), reason: 'extension_invalid', mentions: 'extnValue' },
  { name: 'subjectAltName value with trailing bytes', pem: () => csr({ san: null, extensions: [extension(OIDS.subjectAltName, concat(seq(gn.ip(ip)), derNull()))] }), reason: 'extension_invalid', mentions: 'trailing' },
  { name: 'subjectAltName value not a SEQUENCE', pem: () => csr({ san: null, extensions: [extension(OIDS.subjectAltName, gn.ip(ip))] }), reason: 'extension_invalid', mentions: 'subjectAltName' },
  { name: 'basicConstraints value with trailing bytes', pem: () => csr({ extensions: [extension(OIDS.basicConstraints, concat(seq(), derNull()))] }), reason: 'extension_invalid', mentions: 'trailing' },
  { name: 'basicConstraints value not a SEQUENCE', pem: () => csr({ extensions: [extension(OIDS.basicConstraints, derBoolean(true))] }), reason: 'extension_invalid', mentions: 'basicConstraints' },
  { name: 'unknown critical extension with a malformed value', pem: () => csr({ extensions: [extension('1.3.6.1.4.1.99999.1', concat(derNull(), derNull()), true)] }), reason: 'extension_invalid', mentions: 'critical' },
  { name: 'critical=FALSE encoded explicitly', pem: () => csr({ extensions: [seq(derOid(OIDS.keyUsage), derBoolean(false), derOctets(derBitString(Uint8Array.of(0x80), 7)))] }), reason: 'extension_invalid', mentions: 'critical=FALSE' },
  { name: 'BOOLEAN 0x01 inside basicConstraints', pem: () => csr({ extensions: [extension(OIDS.basicConstraints, seq(tlv(0x01, Uint8Array.of(1))))] }), reason: 'extension_invalid', mentions: 'BOOLEAN' },
  { name: 'two extensionRequest attributes', pem: () => csr({ attributes: [extensionRequest(sanExtension(gn.ip(ip))), extensionRequest(keyUsageExtension())] }), reason: 'extension_invalid', mentions: 'two extensionRequest' },
  // keys
  { name: 'RSA 1024', pem: () => csr({ key: testKey('rsa1024') }), reason: 'key_weak', mentions: '1024 bits' },
  { name: 'RSA e=3', pem: () => csr({ key: testKey('rsa2048e3') }), reason: 'key_weak', mentions: 'exponent 3 ' },
  { name: 'RSA 8192', pem: () => csr({ spki: rsaSpki((1n << 8191n) + 1n) }), reason: 'key_unsupported', mentions: '8192 bits' },
  { name: 'RSA 2047 bits', pem: () => csr({ spki: rsaSpki((1n << 2046n) + 1n) }), reason: 'key_weak', mentions: '2047 bits' },
  { name: 'P-521', pem: () => csr({ key: testKey('p521') }), reason: 'key_unsupported', mentions: 'P-521' },
  { name: 'secp256k1', pem: () => csr({ key: testKey('secp256k1') }), reason: 'key_unsupported', mentions: 'secp256k1' },
  { name: 'Ed25519', pem: () => csr({ key: testKey('ed25519') }), reason: 'key_unsupported', mentions: 'Ed25519' },
  {
    name: 'DSA',
    pem: () => csr({ spki: spkiWith(seq(derOid('1.2.840.10040.4.1'), seq(derInteger(23n), derInteger(11n), derInteger(4n))), derInteger(8n)) }),
    reason: 'key_unsupported',
    mentions: 'DSA',
  },
  {
    name: 'explicit curve parameters',
    pem: () => csr({ spki: spkiWith(seq(derOid('1.2.840.10045.2.1'), seq(derInteger(1n))), p256Point()) }),
    reason: 'key_unsupported',
    mentions: 'explicit',
  },
  {
    name: 'compressed P-256 point',
    pem: () => csr({ spki: spkiWith(seq(derOid('1.2.840.10045.2.1'), derOid('1.2.840.10045.3.1.7')), concat(Uint8Array.of(2), p256Point().subarray(1, 33))) }),
    reason: 'key_unsupported',
    mentions: 'compressed',
  },
  {
    name: 'P-256 point not on the curve',
    pem: () => {
      const point = p256Point().slice();
      point[64] = point[64]! ^ 1;
      return csr({ spki: spkiWith(seq(derOid('1.2.840.10045.2.1'), derOid('1.2.840.10045.3.1.7')), point) });
    },
    reason: 'key_unsupported',
    mentions: 'not on the curve',
  },
  // signatures
  { name: 'flipped bit in an RSA signature', pem: () => editedDer(() => flipLastByte(buildCsr({ key: testKey('rsa2048') }).der)), reason: 'signature_invalid', mentions: 'proof of possession' },
  { name: 'flipped bit in an ECDSA signature', pem: () => editedDer(flipLastByte), reason: 'signature_invalid' },
  { name: 'signed with another key', pem: () => csr({ signer: freshKey('p256').privateKey }), reason: 'signature_invalid', mentions: 'proof of possession' },
  { name: 'SHA-1 with RSA', pem: () => csr({ key: testKey('rsa2048'), hash: 'sha1' }), reason: 'signature_invalid', mentions: 'SHA-1' },
  { name: 'ECDSA with SHA-1', pem: () => csr({ hash: 'sha1' }), reason: 'signature_invalid', mentions: 'ecdsa-with-SHA1' },
  { name: 'MD5 with RSA', pem: () => csr({ key: testKey('rsa2048'), hash: 'md5' }), reason: 'signature_invalid', mentions: 'md5WithRSAEncryption' },
  { name: 'RSASSA-PSS', pem: () => csr({ key: testKey('rsa2048'), signatureAlgorithm: seq(derOid('1.2.840.113549.1.1.10'), seq()) }), reason: 'signature_invalid', mentions: 'RSASSA-PSS' },
  { name: 'ECDSA algorithm on an RSA key', pem: () => csr({ key: testKey('rsa2048'), signatureAlgorithm: seq(derOid('1.2.840.10045.4.3.2')) }), reason: 'signature_invalid', mentions: 'RSA key' },
  { name: 'ECDSA algorithm with NULL parameters', pem: () => csr({ signatureAlgorithm: seq(derOid('1.2.840.10045.4.3.2'), derNull()) }), reason: 'signature_invalid', mentions: 'parameters' },
  // DER
  { name: 'BER: non-minimal length (leading zero)', pem: () => editedDer((der) => concat(Uint8Array.of(0x30, 0x83, 0x00), der.subarray(2))), reason: 'der_invalid', mentions: 'non-minimal length' },
  { name: 'BER: long form for a short length', pem: () => signedInfo(Uint8Array.of(0x02, 0x81, 0x01, 0x00), subject(), testKey('p256').spki, attributes()), reason: 'der_invalid', mentions: 'non-minimal length' },
  { name: 'BER: indefinite length', pem: () => editedDer((der) => concat(Uint8Array.of(0x30, 0x80), der.subarray(4), Uint8Array.of(0, 0))), reason: 'der_invalid', mentions: 'indefinite length' },
  { name: 'non-minimal INTEGER (version 00 00)', pem: () => signedInfo(Uint8Array.of(0x02, 0x02, 0x00, 0x00), subject(), testKey('p256').spki, attributes()), reason: 'der_invalid', mentions: 'non-minimal INTEGER' },
  { name: 'BOOLEAN critical encoded 0x01', pem: () => csr({ extensions: [seq(derOid(OIDS.keyUsage), tlv(0x01, Uint8Array.of(1)), derOctets(derBitString(Uint8Array.of(0x80), 7)))] }), reason: 'der_invalid', mentions: 'BOOLEAN' },
  { name: 'constructed (BER) OCTET STRING', pem: () => signedInfo(derInteger(0), subject(), testKey('p256').spki, tlv(0xa0, seq(derOid(OIDS.challengePassword), tlv(0x31, tlv(0x24, derOctets(Uint8Array.of(1))))))), reason: 'der_invalid', mentions: 'constructed' },
  { name: 'invalid UTF8String in the subject', pem: () => csr({ subject: nameOf([OIDS.organization, tlv(0x0c, Uint8Array.of(0xc3, 0x28))]) }), reason: 'der_invalid', mentions: 'UTF-8' },
  { name: 'trailing bytes after the DER', pem: () => editedDer((der) => concat(der, Uint8Array.of(0x05, 0x00))), reason: 'der_invalid', mentions: 'trailing' },
  { name: 'truncated DER', pem: () => editedDer((der) => der.subarray(0, der.length - 10)), reason: 'der_invalid', mentions: 'runs past the end' },
  { name: 'version 1 (not v1 = 0)', pem: () => csr({ version: 1 }), reason: 'der_invalid', mentions: 'version must be 0' },
  { name: 'attributes [0] missing', pem: () => signedInfo(derInteger(0), subject(), testKey('p256').spki), reason: 'der_invalid', mentions: 'attributes [0] is missing' },
  { name: 'not a CSR at all (a bare INTEGER)', pem: () => toPem(derInteger(5)), reason: 'der_invalid', mentions: 'CertificationRequest' },
  // PEM and input
  { name: 'trailing garbage after the PEM', pem: () => `${csr()}garbage`, reason: 'pem_invalid', mentions: '"garbage"' },
  { name: 'text before the PEM', pem: () => `Here is my CSR:\n${csr()}`, reason: 'pem_invalid', mentions: 'Here is my' },
  { name: 'two PEM blocks', pem: () => csr() + csr(), reason: 'pem_invalid', mentions: 'found 2 PEM blocks' },
  { name: 'CSR plus private key', pem: () => csr() + toPem(Uint8Array.of(5, 0), 'PRIVATE KEY'), reason: 'pem_invalid', mentions: 'private key' },
  { name: 'wrong PEM label', pem: () => toPem(buildCsr().der, 'CERTIFICATE'), reason: 'pem_invalid', mentions: '"CERTIFICATE"' },
  { name: 'END label differs from BEGIN', pem: () => csr().replace('END CERTIFICATE REQUEST', 'END CERTIFICATE'), reason: 'pem_invalid', mentions: 'END CERTIFICATE' },
  { name: 'missing END line', pem: () => csr().replace(/-----END[^]*$/, ''), reason: 'pem_invalid', mentions: 'no matching END' },
  { name: 'bad base64 character', pem: () => csr().replace(/\n(.)/, '\n*'), reason: 'pem_invalid', mentions: '"*"' },
  { name: 'non-canonical base64 (trailing bits set)', pem: () => toPem(buildCsr().der.subarray(0, 100)).replace(/(.)=?=?\n-----END/, (_, last: string) => `${nextBase64(last)}${_.slice(1)}`), reason: 'pem_invalid', mentions: 'canonical' },
  { name: 'base64 with misplaced padding', pem: () => csr().replace(/\n(....)/, '\n$1=='), reason: 'pem_invalid', mentions: 'padded' },
  { name: 'DER without PEM armour', pem: () => Buffer.from(buildCsr().der).toString('base64'), reason: 'pem_invalid', mentions: 'no PEM block' },
  { name: 'oversized input', pem: () => csr() + ' '.repeat(MAX_CSR_PEM_LENGTH), reason: 'input_too_large', mentions: String(MAX_CSR_PEM_LENGTH) },
  { name: 'empty string', pem: () => '', reason: 'pem_invalid', mentions: 'empty' },
  { name: 'whitespace only', pem: () => ' \n\t', reason: 'pem_invalid', mentions: 'empty' },
  { name: 'non-breaking space around the block', pem: () => `\u00a0${csr()}`, reason: 'pem_invalid', mentions: 'outside the PEM block' },
];

function flipLastByte(der: Uint8Array): Uint8Array {
  const copy = der.slice();
  copy[copy.length - 1] = copy[copy.length - 1]! ^ 0x01;
  return copy;
}

/** The base64 character after `last`, so the final character's unused low bits become non-zero. */
function nextBase64(last: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return alphabet[(alphabet.indexOf(last) + 1) % 64]!;
}

describe('validateCsr refuses bad CSRs with the right reason', () => {
  it('has a table of at least 30 distinct cases', () => {
    expect(new Set(refusals.map((refusal) => refusal.name)).size).toBe(refusals.length);
    expect(refusals.length).toBeGreaterThanOrEqual(30);
  });

  it.each(refusals.map((refusal) => [refusal.name, refusal] as const))('%s', (_name, refusal) => {
    const pem = refusal.pem();
    let thrown: unknown;
    try {
      validateCsr(pem, refusal.policy ?? smsgate);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CaError);
    const error = thrown as CaError;
    expect({ reason: error.reason, message: error.message }).toMatchObject({ reason: refusal.reason });
    if (refusal.mentions !== undefined) expect(error.message).toContain(refusal.mentions);
  });
});
