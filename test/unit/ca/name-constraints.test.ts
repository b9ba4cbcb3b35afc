import { describe, expect, it } from 'vitest';
import { implicitConstructed, implicitPrimitive, sequence } from '../../../src/ca/der.js';
import { formatCidr, Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import { nameConstraintsValue, narrowRanges, readIpv4NameConstraints } from '../../../src/ca/name-constraints.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

describe('nameConstraintsValue', () => {
  it('is the CA/B Forum technically-constrained form, byte for byte', () => {
    const value = nameConstraintsValue(Ipv4RangeSet.parse('10.0.0.0/8,127.0.0.0/8'));
    const permitted = 'a018' + '300a8708' + '0a000000' + 'ff000000' + '300a8708' + '7f000000' + 'ff000000';
    const excluded = 'a128' + '30228720' + '00'.repeat(32) + '30028200';
    expect(hex(value)).toBe('3044' + permitted + excluded);
  });

  it('encodes prefix masks for /12 and /16', () => {
    const value = hex(nameConstraintsValue(Ipv4RangeSet.parse('172.16.0.0/12,192.168.0.0/16')));
    expect(value).toContain('8708' + 'ac100000' + 'fff00000');
    expect(value).toContain('8708' + 'c0a80000' + 'ffff0000');
  });

  it('reads back what it writes', () => {
    const ranges = Ipv4RangeSet.parse('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8');
    const constraints = readIpv4NameConstraints(nameConstraintsValue(ranges));
    expect(constraints.permitted?.map(formatCidr)).toEqual(ranges.toStrings());
    // ::/0 is IPv6 and the dNSName is not an IP: neither is an IPv4 exclusion.
    expect(constraints.excluded).toEqual([]);
  });
});

describe('readIpv4NameConstraints', () => {
  const ip = (octets: string) => sequence(implicitPrimitive(7, bytes(octets)));

  it('reads IPv4 exclusions and treats an IPv6-only permit list as permitting no IPv4', () => {
    const value = sequence(
      implicitConstructed(0, ip('fd00' + '00'.repeat(14) + 'ff00' + '00'.repeat(14))),
      implicitConstructed(1, ip('0a010000ffff0000')),
    );
    const constraints = readIpv4NameConstraints(value);
    expect(constraints.permitted).toEqual([]);
    expect(constraints.excluded.map(formatCidr)).toEqual(['10.1.0.0/16']);
  });

  it('has no IPv4 permit list when only DNS names are permitted', () => {
    const value = sequence(implicitConstructed(0, sequence(implicitPrimitive(2, new TextEncoder().encode('example.org')))));
    expect(readIpv4NameConstraints(value).permitted).toBeUndefined();
  });

  it.each(['0a000000ff00ff00', '0a000001ffffff00'])('refuses the non-network entry %s', (octets) => {
    expect(() => readIpv4NameConstraints(sequence(implicitConstructed(0, ip(octets))))).toThrow(/not an IPv4 network/);
  });
});

describe('narrowRanges', () => {
  const ranges = Ipv4RangeSet.parse('10.0.0.0/8,192.168.0.0/16');

  it('intersects with the permitted subtrees', () => {
    const narrowed = narrowRanges(ranges, { permitted: [{ network: 0x0a000000, prefix: 16 }, { network: 0xc0000000, prefix: 8 }], excluded: [] });
    expect(narrowed?.toStrings()).toEqual(['10.0.0.0/16', '192.168.0.0/16']);
  });

  it('cuts excluded subtrees out', () => {
    const narrowed = narrowRanges(Ipv4RangeSet.parse('10.0.0.0/8'), { permitted: undefined, excluded: [{ network: 0x0a000000, prefix: 10 }] });
    expect(narrowed?.toStrings()).toEqual(['10.64.0.0/10', '10.128.0.0/9']);
    expect(narrowed?.contains(0x0a3fffff)).toBe(false);
    expect(narrowed?.contains(0x0a400000)).toBe(true);
  });

  it('leaves ranges alone without IPv4 constraints and is undefined when nothing is left', () => {
    expect(narrowRanges(ranges, { permitted: undefined, excluded: [] })?.toStrings()).toEqual(ranges.toStrings());
    expect(narrowRanges(ranges, { permitted: [], excluded: [] })).toBeUndefined();
    expect(narrowRanges(ranges, { permitted: undefined, excluded: [{ network: 0, prefix: 0 }] })).toBeUndefined();
  });
});
