import { Buffer } from 'node:buffer';
import type { GeneralName } from './csr-extensions.js';
import { decodeOid, latin1 } from './der-primitives.js';
import { displayText } from './display-text.js';
import { CaError } from './errors.js';
import { describeAddressBlock } from './ip-ranges.js';
import type { Ipv4RangeSet } from './ip-ranges.js';
import { formatIpv4, ipv4FromOctets, parseIpv4 } from './ipv4.js';
import { describeOid } from './oids.js';
import type { Ipv4 } from './types.js';

/** The most IPs one certificate carries, through any door. */
export const MAX_IPS_PER_CERTIFICATE = 100;

/**
 * The requested IPs, each in canonical dotted-quad text, inside `allowed`, none twice, 1..max of
 * them. Returns them in the order given.
 */
export function checkIpIdentifiers(ips: readonly string[], allowed: Ipv4RangeSet, max = MAX_IPS_PER_CERTIFICATE): Ipv4[] {
  if (ips.length === 0) {
    throw new CaError('identifier_missing', 'no IPv4 address is requested; put the IP in the subjectAltName as an iPAddress');
  }
  if (ips.length > max) {
    throw new CaError('identifier_too_many', `${ips.length} IP addresses are requested; at most ${max} allowed here`, String(ips.length));
  }
  const seen = new Set<number>();
  for (const ip of ips) {
    const address = parseIdentifier(ip);
    if (seen.has(address)) {
      throw new CaError('identifier_malformed', `${ip} is requested more than once`, ip);
    }
    seen.add(address);
    if (!allowed.contains(address)) {
      throw new CaError('identifier_not_allowed', `${ip} is in ${describeAddressBlock(address)}, not in the allowed ranges ${allowed.toString()}`, ip);
    }
  }
  return [...ips];
}

function parseIdentifier(ip: unknown): number {
  if (typeof ip !== 'string') {
    throw new CaError('identifier_malformed', 'an IP identifier must be text such as 192.168.1.10');
  }
  return parseIpv4(ip);
}

/**
 * Dotted-quad text of every iPAddress entry of a subjectAltName; any other kind of name, and any
 * IPv6 address, is refused by name rather than dropped.
 */
export function ipsFromSubjectAltNames(names: readonly GeneralName[]): Ipv4[] {
  return names.map(ipFromGeneralName);
}

const ONLY_IPV4 = 'only IPv4 addresses (iPAddress entries of 4 bytes) can be certified';

function ipFromGeneralName(name: GeneralName): Ipv4 {
  switch (name.kind) {
    case 'iPAddress':
      return ipFromOctets(name.value);
    case 'dNSName':
      return unsupported(`DNS name "${shown(name.value)}"`, shown(name.value));
    case 'rfc822Name':
      return unsupported(`email address "${shown(name.value)}"`, shown(name.value));
    case 'uniformResourceIdentifier':
      return unsupported(`URI "${shown(name.value)}"`, shown(name.value));
    case 'registeredID':
      return unsupported(`registered ID ${describeOid(decodeOid(name.value))}`, decodeOid(name.value));
    case 'otherName':
      return unsupported(`otherName ${describeOid(name.typeId ?? '?')}`, name.typeId ?? 'otherName');
    default:
      return unsupported(`a ${name.kind} entry`, name.kind);
  }
}

function ipFromOctets(octets: Uint8Array): Ipv4 {
  if (octets.length === 4) {
    return formatIpv4(ipv4FromOctets(octets));
  }
  if (octets.length === 16) {
    const text = formatIpv6(octets);
    const mapped = isIpv4Mapped(octets) ? ' (an IPv4-mapped IPv6 address; put the IPv4 address itself in the SAN, as 4 bytes)' : '';
    return unsupported(`IPv6 address ${text}${mapped}`, text);
  }
  const hex = Buffer.from(octets).toString('hex');
  throw new CaError('identifier_malformed', `an iPAddress SAN entry of ${octets.length} bytes (0x${hex}) is neither IPv4 (4 bytes) nor IPv6 (16 bytes)`, hex);
}

function unsupported(what: string, value: string): never {
  throw new CaError('identifier_unsupported', `the subjectAltName holds ${what}; ${ONLY_IPV4}`, value);
}

function isIpv4Mapped(octets: Uint8Array): boolean {
  return octets.subarray(0, 10).every((byte) => byte === 0) && octets[10] === 0xff && octets[11] === 0xff;
}

/** RFC 5952 text: lowercase, longest zero run compressed, IPv4-mapped shown dotted. */
export function formatIpv6(octets: Uint8Array): string {
  if (isIpv4Mapped(octets)) {
    return `::ffff:${formatIpv4(ipv4FromOctets(octets.subarray(12)))}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => (octets[2 * i]! << 8) | octets[2 * i + 1]!);
  const [start, length] = longestZeroRun(groups);
  const hex = (part: number[]): string => part.map((group) => group.toString(16)).join(':');
  return length < 2 ? hex(groups) : `${hex(groups.slice(0, start))}::${hex(groups.slice(start + length))}`;
}

function longestZeroRun(groups: readonly number[]): [number, number] {
  let best: [number, number] = [0, 0];
  let runStart = -1;
  groups.forEach((group, index) => {
    if (group !== 0) {
      runStart = -1;
      return;
    }
    if (runStart < 0) runStart = index;
    const length = index - runStart + 1;
    if (length > best[1]) best = [runStart, length];
  });
  return best;
}

/** An IA5 value fit for a message (only its first 100 bytes can show). */
function shown(value: Uint8Array): string {
  return displayText(latin1(value.subarray(0, 100)));
}
