/**
 * A tiny DER writer: just what the certificate profiles need. Every function returns the complete
 * encoding (tag + length + content) as a Uint8Array; composites take already-encoded children.
 */

import { TAG } from './der-tags.js';

/** The length octets: short form below 128, else 0x80|n followed by n big-endian bytes. */
export function encodeLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`invalid DER length ${length}`);
  }
  if (length < 0x80) {
    return Uint8Array.of(length);
  }
  const bytes = bigEndianBytes(length);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** The big-endian octets of a non-negative safe integer, without leading zeros (none for 0). */
function bigEndianBytes(value: number): number[] {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) {
    bytes.unshift(rest % 256);
  }
  return bytes;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) {
    total += part.length;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** tag + length + the concatenation of `parts`, in one allocation (this is the per-certificate hot path). */
export function tlv(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let contentLength = 0;
  for (const part of parts) {
    contentLength += part.length;
  }
  const lengthBytes = contentLength < 0x80 ? 0 : contentLength < 0x100 ? 1 : contentLength < 0x10000 ? 2 : contentLength < 0x1000000 ? 3 : 4;
  const out = new Uint8Array(2 + lengthBytes + contentLength);
  out[0] = tag;
  if (lengthBytes === 0) {
    out[1] = contentLength;
  } else {
    out[1] = 0x80 | lengthBytes;
    for (let i = 0; i < lengthBytes; i++) {
      out[1 + lengthBytes - i] = (contentLength >>> (8 * i)) & 0xff;
    }
  }
  let offset = 2 + lengthBytes;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function sequence(...children: readonly Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, ...children);
}

export function set(...children: readonly Uint8Array[]): Uint8Array {
  return tlv(TAG.SET, ...children);
}

/** [n] EXPLICIT: a constructed context tag wrapping one encoded value. */
export function explicitTag(tagNumber: number, ...children: readonly Uint8Array[]): Uint8Array {
  return tlv(0xa0 | tagNumber, ...children);
}

/** [n] IMPLICIT over a primitive type: the content octets under a context tag. */
export function implicitPrimitive(tagNumber: number, content: Uint8Array): Uint8Array {
  return tlv(0x80 | tagNumber, content);
}

/** [n] IMPLICIT over a constructed type (SEQUENCE OF…): the children under a constructed context tag. */
export function implicitConstructed(tagNumber: number, ...children: readonly Uint8Array[]): Uint8Array {
  return tlv(0xa0 | tagNumber, ...children);
}

/**
 * INTEGER from unsigned big-endian magnitude bytes: leading zero bytes are dropped (minimal
 * encoding), and one 0x00 is prepended when the top bit is set so the value stays positive.
 */
export function integerFromBytes(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) {
    start++;
  }
  const trimmed = magnitude.length === 0 ? Uint8Array.of(0) : magnitude.subarray(start);
  return (trimmed[0] ?? 0) & 0x80 ? tlv(TAG.INTEGER, Uint8Array.of(0), trimmed) : tlv(TAG.INTEGER, trimmed);
}

export function integerFromNumber(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`integerFromNumber takes a non-negative safe integer, got ${value}`);
  }
  return integerFromBytes(Uint8Array.from(bigEndianBytes(value)));
}

/** ENUMERATED (CRLReason): an INTEGER's encoding under tag 10. */
export function enumerated(value: number): Uint8Array {
  const encoded = integerFromNumber(value);
  encoded[0] = TAG.ENUMERATED;
  return encoded;
}

export function booleanValue(value: boolean): Uint8Array {
  return Uint8Array.of(TAG.BOOLEAN, 1, value ? 0xff : 0x00);
}

export function nullValue(): Uint8Array {
  return Uint8Array.of(TAG.NULL, 0);
}

export function octetString(content: Uint8Array): Uint8Array {
  return tlv(TAG.OCTET_STRING, content);
}

export function bitString(content: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(TAG.BIT_STRING, Uint8Array.of(unusedBits), content);
}

export function utf8String(text: string): Uint8Array {
  return tlv(TAG.UTF8_STRING, new TextEncoder().encode(text));
}

/** OBJECT IDENTIFIER from dotted text, e.g. "2.5.29.17". */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((arc) => {
    if (!/^(0|[1-9][0-9]*)$/.test(arc)) {
      throw new RangeError(`invalid OID "${dotted}"`);
    }
    return BigInt(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2n || (first < 2n && second > 39n)) {
    throw new RangeError(`invalid OID "${dotted}"`);
  }
  const content = [first * 40n + second, ...rest].flatMap(base128);
  return tlv(TAG.OID, Uint8Array.from(content));
}

function base128(value: bigint): number[] {
  const out = [Number(value & 0x7fn)];
  for (let rest = value >> 7n; rest > 0n; rest >>= 7n) {
    out.unshift(Number(rest & 0x7fn) | 0x80);
  }
  return out;
}

const UTC_TIME_FIRST_YEAR = 1950;
const UTC_TIME_LAST_YEAR = 2049;

/**
 * RFC 5280 §4.1.2.5: UTCTime for years 1950–2049, GeneralizedTime otherwise; always Zulu, whole
 * seconds (milliseconds are truncated; callers that care round first).
 */
export function time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  return year >= UTC_TIME_FIRST_YEAR && year <= UTC_TIME_LAST_YEAR ? utcTime(date) : generalizedTime(date);
}

export function utcTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (year < UTC_TIME_FIRST_YEAR || year > UTC_TIME_LAST_YEAR) {
    throw new RangeError(`UTCTime cannot hold year ${year}`);
  }
  return tlv(TAG.UTC_TIME, ascii(`${pad(year % 100, 2)}${timeOfYear(date)}Z`));
}

export function generalizedTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) {
    throw new RangeError(`GeneralizedTime cannot hold year ${year}`);
  }
  return tlv(TAG.GENERALIZED_TIME, ascii(`${pad(year, 4)}${timeOfYear(date)}Z`));
}

function timeOfYear(date: Date): string {
  return (
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2)
  );
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    out[i] = text.charCodeAt(i);
  }
  return out;
}
