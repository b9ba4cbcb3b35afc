import { createHash } from 'node:crypto';

/** ACME ids are 16 base64url characters (12 bytes); object names and label values need lower-case: hex. */
const ACME_ID = /^[A-Za-z0-9_-]{16}$/;
const HEX_ID = /^[0-9a-f]{24}$/;

/** The object name (and label value) of an ACME id; undefined when it is not one. */
export function hexOfId(id: string): string | undefined {
  return ACME_ID.test(id) ? Buffer.from(id, 'base64url').toString('hex') : undefined;
}

/** The ACME id an object name or label value stands for. */
export function idOfHex(hex: string): string | undefined {
  return HEX_ID.test(hex) ? Buffer.from(hex, 'hex').toString('base64url') : undefined;
}

/** A label-safe digest of any text: the first 40 hex digits of its SHA-256. */
export function digestLabel(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

/** The key-claim reservation of an RFC 7638 thumbprint (base64url of a SHA-256): `key-` and its 64 hex digits. */
export function keyReservationName(thumbprint: string): string {
  return `key-${Buffer.from(thumbprint, 'base64url').toString('hex')}`;
}

/** A thumbprint's account label: the first 40 hex digits of its bytes. */
export function keyLabel(thumbprint: string): string {
  return Buffer.from(thumbprint, 'base64url').toString('hex').slice(0, 40);
}

/** RFC 3339 with milliseconds, as the ACME records keep times. */
export function timeText(date: Date): string {
  return date.toISOString();
}

export function timeOf(text: string): Date;
export function timeOf(text: string | undefined): Date | undefined;
export function timeOf(text: string | undefined): Date | undefined {
  return text === undefined ? undefined : new Date(text);
}

/** The Unix minute from which something that lapses at `date` may be deleted. */
export function expiresMinute(date: Date): string {
  return String(Math.ceil(date.getTime() / 60_000));
}
