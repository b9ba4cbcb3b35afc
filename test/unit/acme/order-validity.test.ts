import { describe, expect, it } from 'vitest';
import { checkOrderValidity } from '../../../src/acme/order-validity.js';
import { AcmeProblem } from '../../../src/acme/problems.js';

const now = new Date('2030-01-01T00:00:00Z');
const at = (offsetHours: number) => new Date(now.getTime() + offsetHours * 3_600_000).toISOString();

function refusal(notBefore: unknown, notAfter: unknown): string | undefined {
  try {
    checkOrderValidity(notBefore, notAfter, now);
    return undefined;
  } catch (error) {
    return error instanceof AcmeProblem ? `${error.type}: ${error.detail}` : String(error);
  }
}

describe('checkOrderValidity (RFC 8555 §7.4 notBefore/notAfter)', () => {
  it('accepts absent values and windows up to 365 days', () => {
    expect(checkOrderValidity(undefined, undefined, now)).toEqual({});
    expect(checkOrderValidity(at(0), at(365 * 24), now)).toEqual({ notBefore: new Date(at(0)), notAfter: new Date(at(365 * 24)) });
    expect(checkOrderValidity(undefined, at(24), now)).toEqual({ notAfter: new Date(at(24)) });
    expect(checkOrderValidity('2030-01-01T02:00:00+01:00', undefined, now).notBefore?.toISOString()).toBe('2030-01-01T01:00:00.000Z');
  });

  it.each([
    ['longer than a year', at(0), at(365 * 24 + 1), /longer than 365 days/],
    ['notAfter without notBefore beyond a year', undefined, at(365 * 24), /longer than 365 days/],
    ['ends before it starts', at(10), at(5), /later than/],
    ['ends in the past', undefined, at(-2), /later than/],
    ['starts long ago', at(-2), undefined, /one hour in the past/],
    ['starts more than a year ahead', at(366 * 24), undefined, /a year ahead/],
    ['not RFC 3339', '2030-01-01', undefined, /RFC 3339/],
    ['not a string', undefined, 12345, /RFC 3339/],
  ])('refuses %s', (_name, notBefore, notAfter, detail) => {
    expect(refusal(notBefore, notAfter)).toMatch(detail);
    expect(refusal(notBefore, notAfter)).toMatch(/^malformed/);
  });
});
