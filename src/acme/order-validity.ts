import { malformed } from './problems.js';

const HOUR = 3_600_000;
const MAX_VALIDITY_MS = 365 * 24 * HOUR;
/** The core backdates notBefore by one hour; an order may ask for no earlier start. */
const BACKDATE_MS = HOUR;

/**
 * RFC 8555 §7.4 `notBefore` / `notAfter`: optional RFC 3339 times. The resulting certificate may
 * start no earlier than an hour ago and last at most 365 days.
 */
export function checkOrderValidity(notBefore: unknown, notAfter: unknown, now: Date): { notBefore?: Date; notAfter?: Date } {
  const start = parseTime(notBefore, 'notBefore');
  const end = parseTime(notAfter, 'notAfter');
  if (start) checkStart(start, now);
  if (end) checkEnd(end, start?.getTime() ?? now.getTime() - BACKDATE_MS, now);
  return { ...(start ? { notBefore: start } : {}), ...(end ? { notAfter: end } : {}) };
}

function checkStart(start: Date, now: Date): void {
  if (start.getTime() < now.getTime() - BACKDATE_MS) throw malformed('"notBefore" may be at most one hour in the past');
  if (start.getTime() > now.getTime() + MAX_VALIDITY_MS) throw malformed('"notBefore" is more than a year ahead');
}

function checkEnd(end: Date, effectiveStart: number, now: Date): void {
  if (end.getTime() <= effectiveStart || end.getTime() <= now.getTime()) throw malformed('"notAfter" must be later than "notBefore" and than now');
  if (end.getTime() - effectiveStart > MAX_VALIDITY_MS) throw malformed('the requested validity is longer than 365 days');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseTime(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) throw malformed(`"${name}" must be an RFC 3339 date-time`);
  return new Date(value);
}
