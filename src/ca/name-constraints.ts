import { concatBytes, implicitConstructed, implicitPrimitive, sequence } from './der.js';
import { DerReader, type DerContext } from './der-reader.js';
import { TAG } from './der-tags.js';
import { cidrCovers, formatCidr, maskOf, type Ipv4Cidr, Ipv4RangeSet } from './ip-ranges.js';
import { ipv4FromOctets, ipv4ToOctets } from './ipv4.js';

const IP_ADDRESS_TAG = 0x87;
const PERMITTED_TAG = 0xa0;
const EXCLUDED_TAG = 0xa1;

/** ::/0 as a name-constraint iPAddress: 16 zero octets of address and 16 of mask. */
const ALL_IPV6 = new Uint8Array(32);
const ALL_DNS_NAMES = new Uint8Array(0);

/**
 * The nameConstraints extension value of a CA/Browser Forum "technically constrained" subordinate
 * CA for IP leaves: permit the given IPv4 ranges (address + mask), exclude every IPv6 address and,
 * with a zero-length dNSName, every DNS name.
 */
export function nameConstraintsValue(ranges: Ipv4RangeSet): Uint8Array {
  const permitted = ranges.cidrs.map((cidr) => generalSubtree(implicitPrimitive(7, cidrOctets(cidr))));
  const excluded = [generalSubtree(implicitPrimitive(7, ALL_IPV6)), generalSubtree(implicitPrimitive(2, ALL_DNS_NAMES))];
  return sequence(implicitConstructed(0, ...permitted), implicitConstructed(1, ...excluded));
}

function generalSubtree(base: Uint8Array): Uint8Array {
  return sequence(base);
}

function cidrOctets(cidr: Ipv4Cidr): Uint8Array {
  return concatBytes([ipv4ToOctets(cidr.network), ipv4ToOctets(maskOf(cidr.prefix))]);
}

/** What a CA's name constraints say about IPv4 addresses. */
export interface Ipv4NameConstraints {
  /** undefined: no iPAddress subtree is permitted-listed, so IPs are not restricted by a permit list. */
  readonly permitted: readonly Ipv4Cidr[] | undefined;
  readonly excluded: readonly Ipv4Cidr[];
}

const NAME_CONSTRAINTS: DerContext = { reason: 'ca_material_invalid', what: 'name constraints' };

/** Reads the IPv4 part of a nameConstraints value; throws CaError on a malformed value or IPv4 entry. */
export function readIpv4NameConstraints(value: Uint8Array): Ipv4NameConstraints {
  const top = new DerReader(value, NAME_CONSTRAINTS);
  const constraints = top.enter(TAG.SEQUENCE, 'NameConstraints');
  top.finish('NameConstraints');
  let permitted: Ipv4Cidr[] | undefined;
  const excluded: Ipv4Cidr[] = [];
  while (!constraints.atEnd()) {
    const subtrees = constraints.next();
    const ipBases = ipAddressBases(constraints.child(subtrees));
    const ipv4 = ipBases.filter((octets) => octets.length === 8).map((octets) => cidrFromOctets(octets, constraints));
    if (subtrees.tag === PERMITTED_TAG && ipBases.length > 0) {
      permitted = [...(permitted ?? []), ...ipv4];
    } else if (subtrees.tag === EXCLUDED_TAG) {
      excluded.push(...ipv4);
    }
  }
  return { permitted, excluded };
}

/** The iPAddress bases of `GeneralSubtrees ::= SEQUENCE OF SEQUENCE { base GeneralName, ... }`. */
function ipAddressBases(subtrees: DerReader): Uint8Array[] {
  const bases: Uint8Array[] = [];
  while (!subtrees.atEnd()) {
    const subtree = subtrees.enter(TAG.SEQUENCE, 'GeneralSubtree');
    const base = subtree.next();
    if (base.tag === IP_ADDRESS_TAG) {
      bases.push(subtree.bytes.subarray(base.contentStart, base.end));
    }
  }
  return bases;
}

function cidrFromOctets(octets: Uint8Array, reader: DerReader): Ipv4Cidr {
  const network = ipv4FromOctets(octets.subarray(0, 4));
  const mask = ipv4FromOctets(octets.subarray(4, 8));
  const prefix = 32 - Math.log2(((~mask >>> 0) + 1));
  if (!Number.isInteger(prefix) || maskOf(prefix) !== mask || ((network & ~mask) >>> 0) !== 0) {
    reader.fail(`iPAddress ${Buffer.from(octets).toString('hex')} is not an IPv4 network and prefix mask`);
  }
  return { network, prefix };
}

/**
 * The part of `ranges` that a certificate chain's IPv4 name constraints let through, or undefined
 * when nothing is left.
 */
export function narrowRanges(ranges: Ipv4RangeSet, constraints: Ipv4NameConstraints): Ipv4RangeSet | undefined {
  let cidrs: Ipv4Cidr[] = [...ranges.cidrs];
  const permitted = constraints.permitted;
  if (permitted) {
    cidrs = cidrs.flatMap((cidr) => permitted.flatMap((allowed) => intersect(cidr, allowed)));
  }
  for (const excluded of constraints.excluded) {
    cidrs = cidrs.flatMap((cidr) => subtract(cidr, excluded));
  }
  return cidrs.length === 0 ? undefined : Ipv4RangeSet.parse(cidrs.map(formatCidr));
}

function intersect(a: Ipv4Cidr, b: Ipv4Cidr): Ipv4Cidr[] {
  if (cidrCovers(b, a)) {
    return [a];
  }
  return cidrCovers(a, b) ? [b] : [];
}

/** `cidr` minus `hole`, as the CIDR blocks that remain (at most 32). */
function subtract(cidr: Ipv4Cidr, hole: Ipv4Cidr): Ipv4Cidr[] {
  if (cidrCovers(hole, cidr)) {
    return [];
  }
  if (!cidrCovers(cidr, hole)) {
    return [cidr];
  }
  const prefix = cidr.prefix + 1;
  const low = { network: cidr.network, prefix };
  const high = { network: (cidr.network | (1 << (32 - prefix))) >>> 0, prefix };
  return [...subtract(low, hole), ...subtract(high, hole)];
}
