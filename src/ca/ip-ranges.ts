import { CaError } from './errors.js';
import { formatIpv4, parseIpv4 } from './ipv4.js';

/** One IPv4 CIDR block, held as network address and prefix length. */
export interface Ipv4Cidr {
  readonly network: number;
  readonly prefix: number;
}

export const DEFAULT_ALLOWED_CIDRS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

/**
 * Blocks that are never publicly routable. A configured allowed range must sit inside one of them:
 * this CA exists for addresses a public CA cannot validate, and must never vouch for public ones.
 */
const NON_PUBLIC_BLOCKS: ReadonlyArray<{ cidr: string; label: string }> = [
  { cidr: '10.0.0.0/8', label: 'private (RFC 1918)' },
  { cidr: '172.16.0.0/12', label: 'private (RFC 1918)' },
  { cidr: '192.168.0.0/16', label: 'private (RFC 1918)' },
  { cidr: '127.0.0.0/8', label: 'loopback' },
  { cidr: '100.64.0.0/10', label: 'shared address space (CGNAT, RFC 6598)' },
  { cidr: '169.254.0.0/16', label: 'link-local' },
];

/** Names of special-purpose blocks, so refusals can say *why* an address is refused. */
const SPECIAL_BLOCKS: ReadonlyArray<{ cidr: string; label: string }> = [
  ...NON_PUBLIC_BLOCKS,
  { cidr: '0.0.0.0/8', label: '"this network" (0.0.0.0/8)' },
  { cidr: '224.0.0.0/4', label: 'multicast' },
  { cidr: '240.0.0.0/4', label: 'reserved' },
  { cidr: '192.0.2.0/24', label: 'documentation (TEST-NET-1)' },
  { cidr: '198.51.100.0/24', label: 'documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', label: 'documentation (TEST-NET-3)' },
  { cidr: '198.18.0.0/15', label: 'benchmarking' },
];

export function parseCidr(text: string): Ipv4Cidr {
  const [addressText, prefixText, extra] = text.trim().split('/');
  if (addressText === undefined || prefixText === undefined || extra !== undefined || !/^(3[0-2]|[12]?[0-9])$/.test(prefixText)) {
    throw new CaError('cidr_invalid', `"${text}" is not an IPv4 CIDR such as 10.0.0.0/8`, text);
  }
  const prefix = Number(prefixText);
  let network: number;
  try {
    network = parseIpv4(addressText);
  } catch {
    throw new CaError('cidr_invalid', `"${text}" is not an IPv4 CIDR such as 10.0.0.0/8`, text);
  }
  if ((network & ~maskOf(prefix)) >>> 0 !== 0) {
    throw new CaError('cidr_invalid', `"${text}" has host bits set; did you mean ${formatCidr({ network: (network & maskOf(prefix)) >>> 0, prefix })}?`, text);
  }
  return { network, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function cidrContains(cidr: Ipv4Cidr, address: number): boolean {
  return ((address & maskOf(cidr.prefix)) >>> 0) === cidr.network;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrCovers(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return outer.prefix <= inner.prefix && cidrContains(outer, inner.network);
}

/** A short description of the special-purpose block holding an address, or "public". */
export function describeAddressBlock(address: number): string {
  const block = SPECIAL_BLOCKS.find((entry) => cidrContains(parseCidr(entry.cidr), address));
  return block ? `${block.label} ${block.cidr}` : 'public address space';
}

/** The set of IPv4 ranges this CA may certify; also what the intermediate's name constraints permit. */
export class Ipv4RangeSet {
  private constructor(readonly cidrs: readonly Ipv4Cidr[]) {}

  static readonly defaults: Ipv4RangeSet = Ipv4RangeSet.parse(DEFAULT_ALLOWED_CIDRS);

  /** Every block an allowed range may lie in: private, loopback, CGNAT and link-local. */
  static readonly nonPublic: Ipv4RangeSet = Ipv4RangeSet.parse(NON_PUBLIC_BLOCKS.map((block) => block.cidr));

  /** Parses a comma list or an array of CIDRs; each must lie inside a non-public block. */
  static parse(list: string | readonly string[]): Ipv4RangeSet {
    const items = (typeof list === 'string' ? list.split(',') : [...list]).map((item) => item.trim()).filter(Boolean);
    if (items.length === 0) {
      throw new CaError('cidr_invalid', 'the list of allowed CIDRs is empty');
    }
    return new Ipv4RangeSet(items.map(parseAllowedCidr));
  }

  contains(address: number): boolean {
    return this.cidrs.some((cidr) => cidrContains(cidr, address));
  }

  /** True when every range of `other` lies inside one of ours (an issuer may narrow, never widen). */
  covers(other: Ipv4RangeSet): boolean {
    return other.cidrs.every((inner) => this.cidrs.some((outer) => cidrCovers(outer, inner)));
  }

  toStrings(): string[] {
    return this.cidrs.map(formatCidr);
  }

  toString(): string {
    return this.toStrings().join(', ');
  }
}

function parseAllowedCidr(text: string): Ipv4Cidr {
  const cidr = parseCidr(text);
  const inside = NON_PUBLIC_BLOCKS.some((block) => cidrCovers(parseCidr(block.cidr), cidr));
  if (!inside) {
    throw new CaError(
      'cidr_invalid',
      `allowed range ${text} is not inside a private, loopback, CGNAT or link-local block; this CA never certifies public addresses`,
      text,
    );
  }
  return cidr;
}
