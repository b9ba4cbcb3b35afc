import { sign } from 'node:crypto';
import { bitString, booleanValue, implicitConstructed, implicitPrimitive, integerFromNumber, nullValue, octetString, oid, sequence, set, tlv, utf8String } from '../../src/ca/der.js';
import { encodePem } from '../../src/ca/pem.js';
import { tlvHeaders } from './der-walk.js';
import type { FuzzKey } from './fuzz-keys.js';
import { pickIp, type IpBytes } from './ip-pools.js';
import type { Prng } from './prng.js';

/** One fuzzer input: the PEM handed to the intake and what it was made of (for the report). */
export interface Mutant {
  readonly pem: string;
  readonly description: string;
}

const OIDS = {
  extensionRequest: '1.2.840.113549.1.9.14',
  challengePassword: '1.2.840.113549.1.9.7',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  private: '1.3.6.1.4.1.55555.1',
} as const;

/** Relative weights: mostly the supported keys, RSA 3072/4096 rarely (their signatures are slow to make). */
const KEY_WEIGHTS: Readonly<Record<string, number>> = {
  p256: 40, p384: 10, rsa2048: 14, rsa3072: 2, rsa4096: 1, rsa1024: 4, 'rsa2048-e3': 4, 'rsa2048-factor3': 4, p521: 4, ed25519: 4,
};
const OTHER_ALGORITHMS = ['1.2.840.113549.1.1.5', '1.2.840.113549.1.1.4', '1.2.840.10045.4.3.2', '1.2.840.113549.1.1.11', '1.2.840.10045.4.1', '1.3.101.112', '1.2.3.4'];
const TAG_REPLACEMENTS = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x16, 0x1e, 0x30, 0x31, 0x80, 0x82, 0x87, 0xa0, 0xa3, 0xff];
const LENGTH_REPLACEMENTS = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff];

/**
 * Requests built from parts and then signed for real, so a mutation is judged by the policy rather
 * than refused at the signature: IP SANs inside, at the edge of and outside the allowed ranges,
 * public, IPv6 and malformed addresses, duplicated SANs, other name types, CN agreeing or not,
 * requested extensions swapped, duplicated or made critical, every key type (including the refused
 * sizes and a factorable modulus), and, one time in five, a tag or length byte inside the signed
 * CertificationRequestInfo replaced before signing.
 */
export class StructuredCsrs {
  private readonly signatures = new Map<string, Uint8Array>();
  private readonly weighted: readonly FuzzKey[];

  constructor(keys: readonly FuzzKey[]) {
    this.weighted = keys.flatMap((key) => Array.from({ length: KEY_WEIGHTS[key.name] ?? 1 }, () => key));
  }

  next(prng: Prng): Mutant {
    const key = prng.pick(this.weighted);
    const notes: string[] = [key.name];
    const ips = pickIps(prng, notes);
    const version = prng.chance(0.02) ? prng.pick([integerFromNumber(1), integerFromNumber(2), tlv(0x02, Uint8Array.of(0xff))]) : integerFromNumber(0);
    let info = sequence(version, pickSubject(prng, ips, notes), key.spki, implicitConstructed(0, ...pickAttributes(prng, ips, notes)));
    if (prng.chance(0.2)) info = replaceHeaderByte(prng, info, notes);
    const algorithm = prng.chance(0.05) ? otherAlgorithm(prng, notes) : key.algorithm;
    const der = sequence(info, algorithm, bitString(this.signed(info, key)));
    return { pem: encodePem('CERTIFICATE REQUEST', der), description: notes.join(', ') };
  }

  /** RSA PKCS#1 v1.5 signatures are deterministic, so they are kept (ECDSA's are not). */
  private signed(info: Uint8Array, key: FuzzKey): Uint8Array {
    const deterministic = key.name.startsWith('rsa');
    const cacheKey = deterministic ? `${key.name}:${Buffer.from(info).toString('base64')}` : '';
    const cached = deterministic ? this.signatures.get(cacheKey) : undefined;
    if (cached) return cached;
    const signature = new Uint8Array(sign(key.hash, info, key.privateKey));
    if (deterministic && this.signatures.size < 20_000) this.signatures.set(cacheKey, signature);
    return signature;
  }
}

function pickIps(prng: Prng, notes: string[]): IpBytes[] {
  const count = prng.chance(0.75) ? 1 : prng.pick([0, 2, 3, 4, 101]);
  const ips = Array.from({ length: count }, () => pickIp(prng));
  if (ips.length > 0 && prng.chance(0.08)) ips.push(ips[0]!);
  notes.push(`ips=[${ips.slice(0, 5).map((ip) => ip.text).join(' ')}${ips.length > 5 ? ` …${ips.length}` : ''}]`);
  return ips;
}

function pickSubject(prng: Prng, ips: readonly IpBytes[], notes: string[]): Uint8Array {
  const roll = prng.below(100);
  const cn = (text: string) => set(sequence(oid(OIDS.commonName), utf8String(text)));
  const first = ips[0]?.text ?? '192.168.1.10';
  if (roll < 60) return sequence(cn(first));
  if (roll < 70) return sequence();
  notes.push('subject varied');
  if (roll < 78) return sequence(cn(pickIp(prng).text));
  if (roll < 84) return sequence(cn(first), cn(first));
  if (roll < 90) return sequence(set(sequence(oid(OIDS.organization), utf8String('Fuzz'))), cn(first));
  return sequence(cn(prng.pick(['printer.lan', `0${first}`, `${first} `, '', 'x'.repeat(70)])));
}

function pickAttributes(prng: Prng, ips: readonly IpBytes[], notes: string[]): Uint8Array[] {
  const extensions = pickExtensions(prng, ips, notes);
  const request = sequence(oid(OIDS.extensionRequest), set(sequence(...extensions)));
  const attributes = extensions.length === 0 && prng.chance(0.5) ? [] : [request];
  maybe(prng, 0.03, () => {
    attributes.push(request);
    notes.push('two extensionRequests');
  });
  maybe(prng, 0.03, () => {
    attributes.unshift(sequence(oid(OIDS.challengePassword), set(utf8String('secret'))));
    notes.push('challengePassword');
  });
  return attributes;
}

function pickExtensions(prng: Prng, ips: readonly IpBytes[], notes: string[]): Uint8Array[] {
  const extensions: Uint8Array[] = [];
  if (ips.length > 0 || prng.chance(0.3)) extensions.push(sanExtension(prng, ips, notes));
  maybe(prng, 0.05, () => {
    extensions.push(extensions[0] ?? sanExtension(prng, ips, notes));
    notes.push('SAN twice');
  });
  maybe(prng, 0.06, () => {
    extensions.push(extension(OIDS.basicConstraints, sequence(...(prng.chance(0.7) ? [booleanValue(true)] : [])), true));
    notes.push('basicConstraints');
  });
  maybe(prng, 0.1, () => extensions.push(extension(OIDS.keyUsage, bitString(Uint8Array.of(0xa0), 5), true)));
  maybe(prng, 0.04, () => {
    extensions.push(extension(OIDS.private, nullValue(), prng.chance(0.5)));
    notes.push('private extension');
  });
  if (extensions.length > 1 && prng.chance(0.2)) extensions.reverse();
  return extensions;
}

function sanExtension(prng: Prng, ips: readonly IpBytes[], notes: string[]): Uint8Array {
  const names = ips.map((ip) => implicitPrimitive(7, ip.bytes));
  const otherName = (tag: number, value: string, note: string) => () => {
    names.push(implicitPrimitive(tag, Buffer.from(value)));
    notes.push(note);
  };
  maybe(prng, 0.05, otherName(2, 'host.example', 'dNSName'));
  maybe(prng, 0.02, otherName(1, 'a@b.example', 'rfc822Name'));
  maybe(prng, 0.02, otherName(6, 'http://10.0.0.1/', 'URI'));
  return extension(OIDS.subjectAltName, sequence(...names), prng.chance(0.1));
}

/** Runs `action` with the given probability (drawing from the PRNG first, always). */
function maybe(prng: Prng, probability: number, action: () => void): void {
  if (prng.chance(probability)) action();
}

function extension(id: string, value: Uint8Array, critical: boolean): Uint8Array {
  return sequence(oid(id), ...(critical ? [booleanValue(true)] : []), octetString(value));
}

function replaceHeaderByte(prng: Prng, info: Uint8Array, notes: string[]): Uint8Array {
  const headers = tlvHeaders(info);
  const header = prng.pick(headers);
  const mutated = info.slice();
  const onTag = prng.chance(0.5);
  const at = onTag ? header.tagAt : header.lengthAt;
  mutated[at] = onTag ? prng.pick(TAG_REPLACEMENTS) : prng.chance(0.5) ? prng.pick(LENGTH_REPLACEMENTS) : (mutated[at]! + prng.pick([1, 255])) & 0xff;
  notes.push(`${onTag ? 'tag' : 'length'} byte at ${at} ${String(info[at]?.toString(16))}→${String(mutated[at]?.toString(16))}`);
  return mutated;
}

function otherAlgorithm(prng: Prng, notes: string[]): Uint8Array {
  const id = prng.pick(OTHER_ALGORITHMS);
  notes.push(`signatureAlgorithm ${id}`);
  return prng.chance(0.5) ? sequence(oid(id), nullValue()) : sequence(oid(id));
}
