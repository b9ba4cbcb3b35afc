/**
 * Builds PKCS#10 requests byte by byte, so tests can make any CSR they need — including broken ones
 * (wrong lengths, odd keys, foreign SAN types) — and re-sign a mutated CertificationRequestInfo.
 * Test-only: the production DER writer lives elsewhere and is deliberately not used here.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';

// ---------------------------------------------------------------- DER writing

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

export function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function tlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const body = concat(...contents);
  return concat(Uint8Array.of(tag), derLength(body.length), body);
}

export const seq = (...contents: readonly Uint8Array[]): Uint8Array => tlv(0x30, ...contents);
export const set = (...contents: readonly Uint8Array[]): Uint8Array => tlv(0x31, ...contents);

export function derInteger(value: number | bigint): Uint8Array {
  let hex = BigInt(value).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return tlv(0x02, (bytes[0]! & 0x80) !== 0 ? concat(Uint8Array.of(0), bytes) : bytes);
}

export function derOid(dotted: string): Uint8Array {
  const [first = 0n, second = 0n, ...rest] = dotted.split('.').map((arc) => BigInt(arc));
  const arcs = [first * 40n + second, ...rest];
  const bytes = arcs.flatMap((arc) => {
    const groups = [Number(arc & 0x7fn)];
    for (let value = arc >> 7n; value > 0n; value >>= 7n) groups.unshift(Number(value & 0x7fn) | 0x80);
    return groups;
  });
  return tlv(0x06, Uint8Array.from(bytes));
}

const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
export const derUtf8 = (text: string): Uint8Array => tlv(0x0c, Uint8Array.from(Buffer.from(text, 'utf8')));
export const derPrintable = (text: string): Uint8Array => tlv(0x13, ascii(text));
export const derOctets = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
export const derBitString = (bytes: Uint8Array, unused = 0): Uint8Array => tlv(0x03, Uint8Array.of(unused), bytes);
export const derBoolean = (value: boolean): Uint8Array => tlv(0x01, Uint8Array.of(value ? 0xff : 0x00));
export const derNull = (): Uint8Array => Uint8Array.of(0x05, 0x00);

// ---------------------------------------------------------------- names and extensions

export const OIDS = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  country: '2.5.4.6',
  extensionRequest: '1.2.840.113549.1.9.14',
  challengePassword: '1.2.840.113549.1.9.7',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  subjectKeyIdentifier: '2.5.29.14',
} as const;

/** A Name with one attribute per RDN; values are complete TLVs (use derUtf8/derPrintable). */
export function nameOf(...attributes: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  return seq(...attributes.map(([oid, value]) => set(seq(derOid(oid), value))));
}

export const cnName = (...commonNames: readonly string[]): Uint8Array =>
  nameOf(...commonNames.map((cn) => [OIDS.commonName, derUtf8(cn)] as const));

export function ipBytes(text: string): Uint8Array {
  return Uint8Array.from(ipaddr.parse(text).toByteArray());
}

/** GeneralName TLVs. */
export const gn = {
  ip: (text: string): Uint8Array => tlv(0x87, ipBytes(text)),
  ipRaw: (bytes: Uint8Array): Uint8Array => tlv(0x87, bytes),
  dns: (name: string): Uint8Array => tlv(0x82, ascii(name)),
  email: (address: string): Uint8Array => tlv(0x81, ascii(address)),
  uri: (uri: string): Uint8Array => tlv(0x86, ascii(uri)),
  otherName: (oid: string, value: Uint8Array): Uint8Array => tlv(0xa0, derOid(oid), tlv(0xa0, value)),
  directoryName: (name: Uint8Array): Uint8Array => tlv(0xa4, name),
  registeredId: (oid: string): Uint8Array => tlv(0x88, derOid(oid).subarray(2)),
};

export function extension(oid: string, value: Uint8Array, critical = false): Uint8Array {
  return seq(derOid(oid), ...(critical ? [derBoolean(true)] : []), derOctets(value));
}

export const sanExtension = (...names: readonly Uint8Array[]): Uint8Array => extension(OIDS.subjectAltName, seq(...names));
export const basicConstraintsExtension = (ca: boolean): Uint8Array =>
  extension(OIDS.basicConstraints, ca ? seq(derBoolean(true)) : seq(), true);
/** digitalSignature + keyEncipherment, critical (what the Go CLI and openssl configs ask for). */
export const keyUsageExtension = (): Uint8Array => extension(OIDS.keyUsage, derBitString(Uint8Array.of(0xa0), 5), true);
export const serverAuthExtension = (): Uint8Array => extension(OIDS.extKeyUsage, seq(derOid(OIDS.serverAuth)));

// ---------------------------------------------------------------- keys

export type TestKeyKind = 'p256' | 'p384' | 'p521' | 'secp256k1' | 'ed25519' | 'rsa1024' | 'rsa2048' | 'rsa2048e3';

export interface TestKey {
  readonly kind: TestKeyKind;
  readonly privateKey: KeyObject;
  readonly spki: Uint8Array;
}

const keyCache = new Map<TestKeyKind, TestKey>();

/** One key per kind per test file (RSA generation is slow). */
export function testKey(kind: TestKeyKind): TestKey {
  const cached = keyCache.get(kind);
  if (cached) return cached;
  const pair = generate(kind);
  const key: TestKey = {
    kind,
    privateKey: pair.privateKey,
    spki: Uint8Array.from(pair.publicKey.export({ type: 'spki', format: 'der' })),
  };
  keyCache.set(kind, key);
  return key;
}

/** A fresh key, for "signed by another key" cases. */
export function freshKey(kind: 'p256' | 'rsa2048'): TestKey {
  const pair = generate(kind);
  return { kind, privateKey: pair.privateKey, spki: Uint8Array.from(pair.publicKey.export({ type: 'spki', format: 'der' })) };
}

function generate(kind: TestKeyKind): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (kind) {
    case 'p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'p521':
      return generateKeyPairSync('ec', { namedCurve: 'P-521' });
    case 'secp256k1':
      return generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
    case 'rsa1024':
      return generateKeyPairSync('rsa', { modulusLength: 1024 });
    case 'rsa2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'rsa2048e3':
      return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
  }
}

// ---------------------------------------------------------------- requests

export type TestHash = 'sha256' | 'sha384' | 'sha512' | 'sha1' | 'md5';

export interface CsrSpec {
  /** Signing key and, unless `spki` is given, the key in the request. Default P-256. */
  readonly key?: TestKey;
  /** Sign with this private key instead of `key`'s own. */
  readonly signer?: KeyObject;
  /** SubjectPublicKeyInfo bytes to put in the request instead of `key.spki`. */
  readonly spki?: Uint8Array;
  readonly version?: number;
  /** Complete Name DER. Default: CN = the first IP (UTF8String). */
  readonly subject?: Uint8Array;
  /** IPs for the SAN (IPv4 or IPv6 text). Default ['192.168.1.10']. */
  readonly ips?: readonly string[];
  /** Raw GeneralName TLVs replacing the SAN made from `ips`; null leaves the SAN out. */
  readonly san?: readonly Uint8Array[] | null;
  /** Extra Extension TLVs after the SAN. */
  readonly extensions?: readonly Uint8Array[];
  /** Replaces the whole attribute list (the contents of [0]). */
  readonly attributes?: readonly Uint8Array[];
  readonly hash?: TestHash;
  /** Raw AlgorithmIdentifier replacing the one matching key and hash. */
  readonly signatureAlgorithm?: Uint8Array;
}

export interface BuiltCsr {
  readonly der: Uint8Array;
  readonly pem: string;
  /** The CertificationRequestInfo that was signed. */
  readonly info: Uint8Array;
}

export function buildCsr(spec: CsrSpec = {}): BuiltCsr {
  const key = spec.key ?? testKey('p256');
  const ips = spec.ips ?? ['192.168.1.10'];
  const info = seq(
    derInteger(spec.version ?? 0),
    spec.subject ?? cnName(ips[0] ?? '192.168.1.10'),
    spec.spki ?? key.spki,
    tlv(0xa0, ...(spec.attributes ?? defaultAttributes(spec, ips))),
  );
  const der = signRequest(info, key, spec.hash ?? 'sha256', spec.signer, spec.signatureAlgorithm);
  return { der, pem: toPem(der), info };
}

function defaultAttributes(spec: CsrSpec, ips: readonly string[]): Uint8Array[] {
  const san = spec.san === null ? [] : [sanExtension(...(spec.san ?? ips.map(gn.ip)))];
  const extensions = [...san, ...(spec.extensions ?? [])];
  return extensions.length === 0 ? [] : [extensionRequest(...extensions)];
}

export const extensionRequest = (...extensions: readonly Uint8Array[]): Uint8Array =>
  seq(derOid(OIDS.extensionRequest), set(seq(...extensions)));

/** Wraps and signs a CertificationRequestInfo (for re-signing mutated ones too). */
export function signRequest(info: Uint8Array, key: TestKey, hash: TestHash = 'sha256', signer?: KeyObject, algorithm?: Uint8Array): Uint8Array {
  const isEd = key.kind === 'ed25519';
  const signature = sign(isEd ? null : hash, info, signer ?? key.privateKey);
  return seq(info, algorithm ?? signatureAlgorithm(key.kind, hash), derBitString(signature));
}

const RSA_SIGNATURES: Record<TestHash, string> = {
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
  sha1: '1.2.840.113549.1.1.5',
  md5: '1.2.840.113549.1.1.4',
};
const EC_SIGNATURES: Record<TestHash, string> = {
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
  sha1: '1.2.840.10045.4.1',
  md5: '1.2.840.10045.4.1',
};

export function signatureAlgorithm(kind: TestKeyKind, hash: TestHash): Uint8Array {
  if (kind === 'ed25519') return seq(derOid('1.3.101.112'));
  if (kind.startsWith('rsa')) return seq(derOid(RSA_SIGNATURES[hash]), derNull());
  return seq(derOid(EC_SIGNATURES[hash]));
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE REQUEST'): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A committed CSR from test/fixtures/csr (made by make.sh with the real openssl). */
export function readCsrFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/csr/${name}`, import.meta.url)), 'utf8');
}
