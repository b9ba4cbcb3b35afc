import { cidrContains, isCanonicalIpv4, parseIpv4, type Ipv4Cidr } from '../ca/index.js';

/** "::ffff:10.0.0.1" → "10.0.0.1"; other addresses unchanged. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function isTrusted(address: string, trusted: readonly Ipv4Cidr[]): boolean {
  if (!isCanonicalIpv4(address)) return false;
  const value = parseIpv4(address);
  return trusted.some((cidr) => cidrContains(cidr, value));
}

/**
 * The address a rate limit applies to. X-Forwarded-For is believed only when the peer is a trusted
 * proxy; then the list is walked from the right (the entries trusted proxies appended) and the first
 * address that is not itself a trusted proxy is the client. A malformed entry ends the walk at the
 * last proxy that was trusted, so a client cannot choose its own address.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string, trusted: readonly Ipv4Cidr[]): string {
  let current = normalizeAddress(peer ?? 'unknown');
  if (trusted.length === 0 || !isTrusted(current, trusted) || forwardedFor.trim() === '') return current;
  const hops = forwardedFor.split(',').map((hop) => normalizeAddress(hop.trim()));
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]!;
    if (!isCanonicalIpv4(hop) && !/^[0-9a-f:]+$/i.test(hop)) return current;
    current = hop;
    if (!isTrusted(hop, trusted)) return hop;
  }
  return current;
}
