import { describe, expect, it } from 'vitest';
import { CaError } from '../../../src/ca/errors.js';
import { describeAddressBlock, formatCidr, Ipv4RangeSet, parseCidr } from '../../../src/ca/ip-ranges.js';
import { formatIpv4, parseIpv4 } from '../../../src/ca/ipv4.js';

function reasonOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return error instanceof CaError ? error.reason : `not a CaError: ${String(error)}`;
  }
}

describe('parseIpv4', () => {
  it.each(['0.0.0.0', '10.0.0.1', '192.168.1.10', '255.255.255.255'])('accepts canonical %s', (text) => {
    expect(formatIpv4(parseIpv4(text))).toBe(text);
  });

  it.each(['010.0.0.1', '10.0.0.01', '10.0.0', '10.0.0.0.1', '256.1.1.1', '1.2.3.4 ', ' 1.2.3.4', '0x0a.0.0.1', '10.0.0.-1', '', '::1', '1.2.3.4/32', '１.2.3.4'])(
    'refuses non-canonical %j',
    (text) => {
      expect(reasonOf(() => parseIpv4(text))).toBe('identifier_malformed');
    },
  );
});

describe('parseCidr', () => {
  it('round-trips', () => {
    expect(formatCidr(parseCidr('172.16.0.0/12'))).toBe('172.16.0.0/12');
    expect(formatCidr(parseCidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(formatCidr(parseCidr('10.1.2.3/32'))).toBe('10.1.2.3/32');
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.0/8/8', '10.0.0.1/8', 'ten/8', '10.0.0.0/-1'])('refuses %j', (text) => {
    expect(reasonOf(() => parseCidr(text))).toBe('cidr_invalid');
  });

  it('suggests the network address when host bits are set', () => {
    expect(() => parseCidr('192.168.1.7/16')).toThrow(/did you mean 192\.168\.0\.0\/16/);
  });
});

describe('Ipv4RangeSet', () => {
  it('defaults to the three RFC 1918 blocks', () => {
    const set = Ipv4RangeSet.defaults;
    expect(set.toStrings()).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    expect(set.contains(parseIpv4('172.31.255.255'))).toBe(true);
    expect(set.contains(parseIpv4('172.32.0.0'))).toBe(false);
    expect(set.contains(parseIpv4('192.169.0.1'))).toBe(false);
    expect(set.contains(parseIpv4('127.0.0.1'))).toBe(false);
  });

  it('parses a comma list and can add loopback for tests', () => {
    const set = Ipv4RangeSet.parse('127.0.0.0/8, 10.0.0.0/8');
    expect(set.contains(parseIpv4('127.0.0.1'))).toBe(true);
    expect(set.contains(parseIpv4('11.0.0.1'))).toBe(false);
  });

  it.each(['0.0.0.0/0', '8.8.8.0/24', '10.0.0.0/7', '192.0.0.0/8', '224.0.0.0/4'])('never allows public space: %s', (cidr) => {
    expect(reasonOf(() => Ipv4RangeSet.parse(cidr))).toBe('cidr_invalid');
  });

  it('refuses an empty list', () => {
    expect(reasonOf(() => Ipv4RangeSet.parse(' , '))).toBe('cidr_invalid');
  });

  it('covers: an issuer may narrow, never widen', () => {
    const wide = Ipv4RangeSet.defaults;
    expect(wide.covers(Ipv4RangeSet.parse('10.1.0.0/16,192.168.5.0/24'))).toBe(true);
    expect(wide.covers(Ipv4RangeSet.parse('10.0.0.0/8,127.0.0.0/8'))).toBe(false);
    expect(Ipv4RangeSet.parse('10.1.0.0/16').covers(wide)).toBe(false);
  });
});

describe('describeAddressBlock', () => {
  it.each([
    ['100.64.0.1', /CGNAT/],
    ['127.0.0.1', /loopback/],
    ['169.254.1.1', /link-local/],
    ['0.1.2.3', /this network/],
    ['224.0.0.1', /multicast/],
    ['8.8.8.8', /public/],
  ])('%s → %s', (ip, expected) => {
    expect(describeAddressBlock(parseIpv4(ip))).toMatch(expected);
  });
});
