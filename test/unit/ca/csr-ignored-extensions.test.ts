import { describe, expect, it } from 'vitest';
import { CSR_PROFILES } from '../../../src/ca/csr-profiles.js';
import { describeIgnoredExtensions, Ipv4RangeSet, validateCsr, type CsrPolicy } from '../../../src/ca/index.js';
import { buildCsr, concat, derBitString, derNull, derOctets, derOid, extension, OIDS, readCsrFixture, seq } from '../../support/csr-factory.js';

const smsgate: CsrPolicy = { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.smsgate };
const multi: CsrPolicy = { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.acme };
const PRIVATE_OID = '1.3.6.1.4.1.99999.7';

describe('requested extensions the profile never uses are checked as envelopes only', () => {
  it('accepts the real SMSGate client CSR, whose extKeyUsage value has 4 stray bytes, and names what it ignored', () => {
    const pem = readCsrFixture('smsgate-cli-192.168.1.10.csr');
    for (const policy of [smsgate, multi]) {
      const result = validateCsr(pem, policy);
      expect(result.ips).toEqual(['192.168.1.10']);
      expect(result.key).toEqual({ kind: 'ec', curve: 'P-256' });
      expect(result.ignoredExtensions).toEqual([{ oid: OIDS.extKeyUsage, problem: expect.stringContaining('4 unexpected trailing byte(s)') as unknown }]);
    }
    const line = describeIgnoredExtensions(validateCsr(pem, smsgate).ignoredExtensions);
    expect(line).toMatch(/^ignored malformed requested extension\(s\), never copied: extension extKeyUsage \(2\.5\.29\.37\): 4 unexpected trailing byte\(s\)/);
  });

  it.each([
    ['keyUsage that is not a BIT STRING', extension(OIDS.keyUsage, derOctets(Uint8Array.of(1)), true), OIDS.keyUsage],
    ['critical extKeyUsage listing no purpose', extension(OIDS.extKeyUsage, seq(), true), OIDS.extKeyUsage],
    ['extKeyUsage with trailing bytes', extension(OIDS.extKeyUsage, concat(seq(derOid(OIDS.serverAuth)), derNull())), OIDS.extKeyUsage],
    ['a non-critical private extension holding two values', extension(PRIVATE_OID, concat(derNull(), derNull())), PRIVATE_OID],
    ['a non-critical private extension holding no DER at all', extension(PRIVATE_OID, Uint8Array.of(0xff)), PRIVATE_OID],
  ])('ignores %s', (_name, malformed, oid) => {
    const result = validateCsr(buildCsr({ extensions: [malformed] }).pem, smsgate);
    expect(result.ips).toEqual(['192.168.1.10']);
    expect(result.ignoredExtensions.map((entry) => entry.oid)).toEqual([oid]);
  });

  it('reports nothing for well-formed ignored extensions', () => {
    const wellFormed = [extension(OIDS.keyUsage, derBitString(Uint8Array.of(0x80), 7), true), extension(PRIVATE_OID, derNull(), true)];
    expect(validateCsr(buildCsr({ extensions: wellFormed }).pem, smsgate).ignoredExtensions).toEqual([]);
  });
});
