import { CaError } from './errors.js';
import type { Ipv4 } from './types.js';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const STRICT_IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Parses canonical dotted-quad text only: no leading zeros, no shorthand, no whitespace. */
export function parseIpv4(text: string): number {
  const match = STRICT_IPV4.exec(text);
  if (!match) {
    throw new CaError('identifier_malformed', `"${truncate(text)}" is not a canonical IPv4 address`, truncate(text));
  }
  return ipv4FromOctets(match.slice(1, 5).map(Number));
}

export function isCanonicalIpv4(text: string): boolean {
  return STRICT_IPV4.test(text);
}

export function ipv4FromOctets(octets: ArrayLike<number>): number {
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

export function ipv4ToOctets(address: number): Uint8Array {
  return Uint8Array.of(address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff);
}

export function formatIpv4(address: number): Ipv4 {
  return ipv4ToOctets(address).join('.');
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
