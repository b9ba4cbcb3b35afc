/**
 * Certificates expiring per week, from now to the same day 13 months ahead: the numbers behind the
 * console's expiry plot. Weeks start at 00:00 UTC today, every 7 days; the last one may be shorter.
 */
export interface ExpiryWeek {
  /** First instant of the week (UTC). */
  readonly start: Date;
  readonly count: number;
}

export interface ExpiryHistogram {
  readonly weeks: readonly ExpiryWeek[];
  /** Valid certificates expiring after the last week. */
  readonly later: number;
  /** Certificates already expired at `now` (not drawn). */
  readonly past: number;
  /** The end of the plotted span: the same day 13 months after today. */
  readonly end: Date;
}

export const HORIZON_MONTHS = 13;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export function expiryHistogram(notAfters: readonly Date[], now: Date): ExpiryHistogram {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const end = addUtcMonths(start, HORIZON_MONTHS);
  const counts = new Array<number>(Math.ceil((end.getTime() - start.getTime()) / WEEK_MS)).fill(0);
  let later = 0;
  let past = 0;
  for (const notAfter of notAfters) {
    if (notAfter.getTime() <= now.getTime()) past++;
    else if (notAfter.getTime() >= end.getTime()) later++;
    else counts[Math.floor((notAfter.getTime() - start.getTime()) / WEEK_MS)]! += 1;
  }
  const weeks = counts.map((count, index) => ({ start: new Date(start.getTime() + index * WEEK_MS), count }));
  return { weeks, later, past, end };
}

/** The same day of the month `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb). */
export function addUtcMonths(date: Date, months: number): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)));
}

/** "2025-03-04": how the console names a day. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
