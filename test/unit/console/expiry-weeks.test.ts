import { describe, expect, it } from 'vitest';
import { addUtcMonths, expiryHistogram, isoDay } from '../../../src/console/browser/expiry-weeks.js';

const at = (iso: string) => new Date(iso);

describe('expiryHistogram: certificates expiring per week over the next 13 months', () => {
  const now = at('2025-03-05T15:30:00Z');

  it('spans from 00:00 UTC today to the same day 13 months ahead, in weeks of 7 days', () => {
    const { weeks, end } = expiryHistogram([], now);
    expect(isoDay(end)).toBe('2026-04-05');
    expect(isoDay(weeks[0]!.start)).toBe('2025-03-05');
    expect(isoDay(weeks[1]!.start)).toBe('2025-03-12');
    // 396 days: 56 full weeks and a last, shorter one.
    expect(weeks).toHaveLength(57);
    expect(weeks.every((week) => week.count === 0)).toBe(true);
  });

  it('counts each certificate in the week its notAfter falls in; expired and later ones apart', () => {
    const histogram = expiryHistogram(
      [
        at('2025-03-05T15:29:59Z'), // already expired
        at('2025-03-05T15:30:01Z'), // week 0
        at('2025-03-11T23:59:59Z'), // week 0, last second
        at('2025-03-12T00:00:00Z'), // week 1, first second
        at('2026-03-04T12:00:00Z'), // a year on: week 52
        at('2026-04-04T23:59:59Z'), // the last week
        at('2026-04-05T00:00:00Z'), // beyond the span
      ],
      now,
    );
    expect(histogram.past).toBe(1);
    expect(histogram.later).toBe(1);
    const counted = histogram.weeks.flatMap((week, index) => (week.count ? [[index, week.count]] : []));
    expect(counted).toEqual([
      [0, 2],
      [1, 1],
      [52, 1],
      [56, 1],
    ]);
  });
});

describe('addUtcMonths', () => {
  it('keeps the day of the month, clamped to the last day of a shorter month', () => {
    expect(isoDay(addUtcMonths(at('2025-01-31T00:00:00Z'), 13))).toBe('2026-02-28');
    expect(isoDay(addUtcMonths(at('2027-01-31T00:00:00Z'), 13))).toBe('2028-02-29');
    expect(isoDay(addUtcMonths(at('2025-12-15T00:00:00Z'), 13))).toBe('2027-01-15');
  });
});
