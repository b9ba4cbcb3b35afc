import { describe, expect, it } from 'vitest';
import { Ipv4RangeSet } from '../../../src/ca/index.js';
import { issuerReadiness } from '../../../src/controller/issuers/issuer-readiness.js';

const operator = { kind: 'operator', allowedRanges: Ipv4RangeSet.parse('10.0.0.0/8,192.168.0.0/16') } as const;

describe('issuerReadiness (pure)', () => {
  it('is ready with the CA ranges, or narrower ones', () => {
    const all = issuerReadiness(undefined, operator);
    expect(all.ready && all.allowedRanges.toString()).toBe('10.0.0.0/8, 192.168.0.0/16');
    const narrow = issuerReadiness({ allowedCIDRs: ['10.20.0.0/16'] }, operator);
    expect(narrow.ready && narrow.allowedRanges.toString()).toBe('10.20.0.0/16');
  });

  it('refuses CIDRs outside the CA, public or malformed, naming them', () => {
    for (const [cidrs, value] of [[['172.16.0.0/12'], '172.16.0.0/12'], [['8.8.8.0/24'], '8.8.8.0/24'], [['10.0.0.1/8'], '10.0.0.1/8']] as const) {
      const result = issuerReadiness({ allowedCIDRs: [...cidrs] }, operator);
      expect(result.ready).toBe(false);
      if (!result.ready) {
        expect(result.reason).toBe('Invalid');
        expect(result.message).toContain(value);
      }
    }
  });

  it('reports a missing or unusable CA Secret', () => {
    expect(issuerReadiness({ ca: { secretName: 'ca' } }, { kind: 'missing', secretName: 'ca', namespace: 'ns' })).toMatchObject({ ready: false, reason: 'CANotFound', message: 'CA Secret ns/ca not found' });
    expect(issuerReadiness({ ca: { secretName: 'ca' } }, { kind: 'invalid', secretName: 'ca', message: 'not a CA' })).toMatchObject({ ready: false, reason: 'Invalid' });
  });
});
