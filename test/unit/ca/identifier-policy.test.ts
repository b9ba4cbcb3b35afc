import { describe, expect, it } from 'vitest';
import { CaError } from '../../../src/ca/errors.js';
import { checkIpIdentifiers, formatIpv6, ipsFromSubjectAltNames } from '../../../src/ca/identifier-policy.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import { checkCommonNameAmongTheIps, checkCommonNameIsTheIp } from '../../../src/ca/subject-policy.js';
import { ipBytes } from '../../support/csr-factory.js';

const allowed = Ipv4RangeSet.defaults;

function refusal(run: () => unknown): CaError {
  try {
    run();
  } catch (error) {
    if (error instanceof CaError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('checkIpIdentifiers', () => {
  it('returns a new array with the IPs in the order given', () => {
    const input = ['192.168.1.10', '10.0.0.1', '172.31.255.255'];
    const output = checkIpIdentifiers(input, allowed);
    expect(output).toEqual(input);
    expect(output).not.toBe(input);
  });

  it.each(['010.0.0.1', '10.0.0.01', '10.0.0.1 ', ' 10.0.0.1', '10.1', '10.0.0.0.1', '0x0a.0.0.1', '10.0.0.256', '', '１０.0.0.1', '10.0.0.1\n', '10..0.1', '+10.0.0.1'])(
    'refuses the non-canonical form %j as identifier_malformed',
    (text) => {
      const error = refusal(() => checkIpIdentifiers([text], allowed));
      expect(error.reason).toBe('identifier_malformed');
      expect(error.message).toContain(`"${text}"`);
    },
  );

  it('refuses non-text identifiers (JSON numbers, null) without a TypeError', () => {
    expect(refusal(() => checkIpIdentifiers([167772161 as unknown as string], allowed)).reason).toBe('identifier_malformed');
    expect(refusal(() => checkIpIdentifiers([null as unknown as string], allowed)).reason).toBe('identifier_malformed');
  });

  it('refuses an empty list and too long a list, counting before parsing anything', () => {
    expect(refusal(() => checkIpIdentifiers([], allowed)).reason).toBe('identifier_missing');
    const many = Array.from({ length: 101 }, () => 'not an ip');
    expect(refusal(() => checkIpIdentifiers(many, allowed))).toMatchObject({ reason: 'identifier_too_many', value: '101' });
    expect(refusal(() => checkIpIdentifiers(['10.0.0.1', '10.0.0.2'], allowed, 1))).toMatchObject({ reason: 'identifier_too_many' });
    expect(checkIpIdentifiers(many.map((_, i) => `10.0.${i}.1`).slice(0, 100), allowed)).toHaveLength(100);
  });

  it('refuses duplicates', () => {
    expect(refusal(() => checkIpIdentifiers(['10.0.0.1', '10.0.0.2', '10.0.0.1'], allowed))).toMatchObject({
      reason: 'identifier_malformed',
      message: '10.0.0.1 is requested more than once',
      value: '10.0.0.1',
    });
  });

  it.each([
    ['8.8.8.8', 'public address space'],
    ['100.64.0.1', 'shared address space (CGNAT, RFC 6598) 100.64.0.0/10'],
    ['127.0.0.1', 'loopback 127.0.0.0/8'],
    ['169.254.1.1', 'link-local 169.254.0.0/16'],
    ['192.0.2.1', 'documentation (TEST-NET-1) 192.0.2.0/24'],
    ['172.32.0.1', 'public address space'],
    ['172.15.255.255', 'public address space'],
  ])('refuses %s as identifier_not_allowed, saying it is in %s', (ip, block) => {
    const error = refusal(() => checkIpIdentifiers(['10.0.0.1', ip], allowed));
    expect(error.reason).toBe('identifier_not_allowed');
    expect(error.value).toBe(ip);
    expect(error.message).toBe(`${ip} is in ${block}, not in the allowed ranges 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16`);
  });

  it('accepts the edges of the private ranges', () => {
    const edges = ['10.0.0.0', '10.255.255.255', '172.16.0.0', '172.31.255.255', '192.168.0.0', '192.168.255.255'];
    expect(checkIpIdentifiers(edges, allowed)).toEqual(edges);
  });
});

describe('ipsFromSubjectAltNames', () => {
  it('turns 4-byte iPAddress entries into dotted quads', () => {
    const names = [
      { kind: 'iPAddress', value: Uint8Array.of(10, 0, 0, 1) },
      { kind: 'iPAddress', value: Uint8Array.of(192, 168, 0, 255) },
    ] as const;
    expect(ipsFromSubjectAltNames(names)).toEqual(['10.0.0.1', '192.168.0.255']);
  });

  it('refuses a DNS name even when it looks like an IP', () => {
    const error = refusal(() => ipsFromSubjectAltNames([{ kind: 'dNSName', value: Uint8Array.from(Buffer.from('10.0.0.1')) }]));
    expect(error).toMatchObject({ reason: 'identifier_unsupported', value: '10.0.0.1' });
  });

  it('shows control characters in names as "?" and shortens long ones', () => {
    const error = refusal(() => ipsFromSubjectAltNames([{ kind: 'dNSName', value: Uint8Array.from(Buffer.from(`a\u0007${'b'.repeat(200)}`)) }]));
    expect(error.message).toContain('"a?bbbb');
    expect(error.message).toContain('..."');
  });
});

describe('formatIpv6', () => {
  it.each([
    ['::1', '::1'],
    ['::', '::'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['fe80::', 'fe80::'],
    ['::ffff:192.168.1.1', '::ffff:192.168.1.1'],
  ])('formats %s as %s', (input, expected) => {
    expect(formatIpv6(ipBytes(input))).toBe(expected);
  });
});

describe('the CN checks of the profiles', () => {
  it('the SMSGate profile wants exactly CN = the IP', () => {
    expect(() => checkCommonNameIsTheIp(['10.0.0.1'], ['10.0.0.1'])).not.toThrow();
    expect(refusal(() => checkCommonNameIsTheIp([], ['10.0.0.1'])).reason).toBe('common_name_mismatch');
    expect(refusal(() => checkCommonNameIsTheIp(['10.0.0.1 '], ['10.0.0.1'])).reason).toBe('common_name_mismatch');
  });

  it('the several-IPs profiles accept no CN or a CN among the IPs', () => {
    expect(() => checkCommonNameAmongTheIps([], ['10.0.0.1', '10.0.0.2'])).not.toThrow();
    expect(() => checkCommonNameAmongTheIps(['10.0.0.2'], ['10.0.0.1', '10.0.0.2'])).not.toThrow();
    expect(refusal(() => checkCommonNameAmongTheIps(['example.com'], ['10.0.0.1'])).message).toContain('"example.com" is not one of the requested IPs (10.0.0.1)');
  });

  it('both refuse two CNs', () => {
    expect(refusal(() => checkCommonNameAmongTheIps(['10.0.0.1', '10.0.0.1'], ['10.0.0.1'])).reason).toBe('subject_unsupported');
    expect(refusal(() => checkCommonNameIsTheIp(['10.0.0.1', 'x'], ['10.0.0.1'])).reason).toBe('subject_unsupported');
  });
});
