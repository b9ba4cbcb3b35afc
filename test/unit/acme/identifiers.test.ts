import { describe, expect, it } from 'vitest';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import { checkOrderIdentifiers, reverseDnsName } from '../../../src/acme/identifiers.js';
import { AcmeProblem } from '../../../src/acme/problems.js';

const policy = { allowedRanges: Ipv4RangeSet.parse('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16'), maxIdentifiers: 3 };

function problemOf(value: unknown): AcmeProblem {
  try {
    checkOrderIdentifiers(value, policy);
  } catch (error) {
    if (error instanceof AcmeProblem) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('checkOrderIdentifiers', () => {
  it('returns the IPs of valid ip identifiers in order', () => {
    expect(checkOrderIdentifiers([{ type: 'ip', value: '192.168.1.10' }, { type: 'ip', value: '10.0.0.1' }], policy)).toEqual(['192.168.1.10', '10.0.0.1']);
  });

  it.each([
    ['public IPv4', { type: 'ip', value: '8.8.8.8' }, 'rejectedIdentifier', /public address space/],
    ['loopback when not allowed', { type: 'ip', value: '127.0.0.1' }, 'rejectedIdentifier', /loopback/],
    ['IPv6', { type: 'ip', value: 'fd00::1' }, 'rejectedIdentifier', /IPv6/],
    ['IPv4-mapped IPv6', { type: 'ip', value: '::ffff:192.168.1.1' }, 'rejectedIdentifier', /request 192\.168\.1\.1 itself/],
    ['non-canonical IPv4', { type: 'ip', value: '192.168.001.1' }, 'malformed', /canonical/],
    ['a dns identifier holding an IP', { type: 'dns', value: '192.168.1.1' }, 'rejectedIdentifier', /type "ip"/],
    ['a dns name', { type: 'dns', value: 'example.internal' }, 'unsupportedIdentifier', /DNS names/],
    ['another type', { type: 'email', value: 'a@b' }, 'unsupportedIdentifier', /not supported/],
  ])('refuses %s', (_name, identifier, type, detail) => {
    const problem = problemOf([identifier]);
    expect(problem.type).toBe(type);
    expect(problem.detail).toMatch(detail);
    expect(problem.toJSON().identifier).toEqual(identifier);
  });

  it('reports each refused identifier as a subproblem, compound when the types differ', () => {
    const problem = problemOf([{ type: 'ip', value: '8.8.8.8' }, { type: 'dns', value: 'x.example' }, { type: 'ip', value: '10.1.1.1' }]);
    expect(problem.type).toBe('compound');
    expect(problem.toJSON().subproblems?.map((sub) => sub.identifier?.value)).toEqual(['8.8.8.8', 'x.example']);
  });

  it('same-typed refusals keep their type at the top', () => {
    expect(problemOf([{ type: 'ip', value: '8.8.8.8' }, { type: 'ip', value: '1.1.1.1' }]).type).toBe('rejectedIdentifier');
  });

  it('refuses empty, oversized, duplicated and malformed lists', () => {
    expect(problemOf([]).type).toBe('malformed');
    expect(problemOf('10.0.0.1').type).toBe('malformed');
    expect(problemOf([{ type: 'ip' }]).type).toBe('malformed');
    expect(problemOf([1, 2, 3, 4].map((n) => ({ type: 'ip', value: `10.0.0.${n}` }))).detail).toMatch(/at most 3/);
    expect(problemOf([{ type: 'ip', value: '10.0.0.1' }, { type: 'ip', value: '10.0.0.1' }]).detail).toMatch(/more than once/);
  });
});

describe('reverseDnsName (RFC 8738 §6)', () => {
  it('reverses the octets under in-addr.arpa', () => {
    expect(reverseDnsName('192.168.1.10')).toBe('10.1.168.192.in-addr.arpa');
  });
});
