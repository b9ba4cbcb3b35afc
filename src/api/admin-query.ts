import { isCanonicalIpv4 } from '../ca/index.js';
import { HttpError } from '../http/http-error.js';
import { CRL_REASONS } from '../issuance/revocation-reasons.js';
import { AUDIT_EVENTS, CERTIFICATE_STATES, REQUEST_STATUSES, type AuditEvent, type CertificateState, type Door, type RequestStatus } from '../store/records.js';

/** The admin API's query parameters, checked: a bad value is 400 naming the parameter. */
export type QueryValues = Readonly<Record<string, string | string[] | undefined>>;

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

function single(query: QueryValues, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new HttpError(400, `query parameter ${name} is given more than once`);
  return value === '' ? undefined : value;
}

export function limitOf(query: QueryValues): number {
  const text = single(query, 'limit');
  if (text === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT) throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_LIMIT}; got "${text}"`);
  return Number(text);
}

export function oneOfQuery<T extends string>(query: QueryValues, name: string, allowed: readonly T[]): T | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  const found = allowed.find((candidate) => candidate === text);
  if (found === undefined) throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}; got "${text}"`);
  return found;
}

export function ipQuery(query: QueryValues): string | undefined {
  const text = single(query, 'ip');
  if (text !== undefined && !isCanonicalIpv4(text)) throw new HttpError(400, `ip must be an IPv4 address such as 192.168.1.10; got "${text}"`);
  return text;
}

export function booleanQuery(query: QueryValues, name: string): boolean | undefined {
  const text = oneOfQuery(query, name, ['true', 'false'] as const);
  return text === undefined ? undefined : text === 'true';
}

export const requestStatusQuery = (query: QueryValues): RequestStatus | undefined => oneOfQuery(query, 'status', REQUEST_STATUSES);
export const certificateStateQuery = (query: QueryValues): CertificateState | undefined => oneOfQuery(query, 'state', CERTIFICATE_STATES);
export const doorQuery = (query: QueryValues): Door | undefined => oneOfQuery(query, 'door', ['rest', 'acme', 'kubernetes'] as const);
export const auditEventQuery = (query: QueryValues): AuditEvent | undefined => oneOfQuery(query, 'event', AUDIT_EVENTS);

export function hexQuery(query: QueryValues, name: string): string | undefined {
  const text = single(query, name);
  if (text !== undefined && !/^[0-9a-fA-F]{1,64}$/.test(text)) throw new HttpError(400, `${name} must be hexadecimal digits; got "${text}"`);
  return text;
}

export function textQuery(query: QueryValues, name: string): string | undefined {
  const text = single(query, name);
  if (text !== undefined && text.length > 128) throw new HttpError(400, `${name} is longer than 128 characters`);
  return text;
}

export function sequenceQuery(query: QueryValues, name: string): number | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new HttpError(400, `${name} must be an audit sequence number; got "${text}"`);
  return Number(text);
}

/** Reasons an administrator may give: RFC 5280 codes, by name or number, except certificateHold (6) and removeFromCRL (8), which this CA does not use. */
export const ADMIN_REVOCATION_REASONS = Object.entries(CRL_REASONS)
  .map(([code, name]) => ({ code: Number(code), name }))
  .filter((reason) => reason.code !== 6 && reason.code !== 8);

export function revocationReasonOf(value: unknown): number {
  if (value === undefined) return 0;
  const found = ADMIN_REVOCATION_REASONS.find((reason) => reason.name === value || reason.code === value);
  if (!found) throw new HttpError(400, `reason must be one of ${ADMIN_REVOCATION_REASONS.map((reason) => reason.name).join(', ')} (or its RFC 5280 code)`);
  return found.code;
}
