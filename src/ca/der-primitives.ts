import { TAG } from './der-tags.js';

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/; // '*' and '&' tolerated as many encoders emit them
const VISIBLE = /^[\x20-\x7e]*$/;
const UTC_TIME = /^\d{12}Z$/;
const GENERALIZED_TIME = /^\d{14}(\.\d*[1-9])?Z$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

type ContentRule = (content: Uint8Array) => string | undefined;

/** The DER content rules of the universal primitive types, by tag. */
const CONTENT_RULES: Readonly<Record<number, ContentRule>> = {
  [TAG.BOOLEAN]: (content) => (content.length === 1 && (content[0] === 0x00 || content[0] === 0xff) ? undefined : 'BOOLEAN must be one byte 0x00 or 0xFF'),
  [TAG.INTEGER]: integerProblem,
  [TAG.ENUMERATED]: integerProblem,
  [TAG.BIT_STRING]: bitStringProblem,
  [TAG.NULL]: (content) => (content.length === 0 ? undefined : 'NULL must be empty'),
  [TAG.OID]: oidProblem,
  [TAG.UTF8_STRING]: (content) => (isUtf8(content) ? undefined : 'UTF8String is not valid UTF-8'),
  [TAG.PRINTABLE_STRING]: (content) => (PRINTABLE.test(latin1(content)) ? undefined : 'PrintableString holds characters outside its alphabet'),
  [TAG.IA5_STRING]: (content) => (content.every((byte) => byte < 0x80) ? undefined : 'IA5String holds non-ASCII bytes'),
  [TAG.VISIBLE_STRING]: (content) => (VISIBLE.test(latin1(content)) ? undefined : 'VisibleString holds non-printable characters'),
  [TAG.UTC_TIME]: (content) => (UTC_TIME.test(latin1(content)) ? undefined : 'UTCTime is not in DER form YYMMDDHHMMSSZ'),
  [TAG.GENERALIZED_TIME]: (content) => (GENERALIZED_TIME.test(latin1(content)) ? undefined : 'GeneralizedTime is not in DER form'),
  [TAG.BMP_STRING]: (content) => (content.length % 2 === 0 ? undefined : 'BMPString has an odd length'),
  [TAG.UNIVERSAL_STRING]: (content) => (content.length % 4 === 0 ? undefined : 'UniversalString length is not a multiple of 4'),
};

/** Why `content` is not the DER form of universal type `tag`, or undefined when it is. */
export function primitiveProblem(tag: number, content: Uint8Array): string | undefined {
  return CONTENT_RULES[tag]?.(content);
}

function integerProblem(content: Uint8Array): string | undefined {
  if (content.length === 0) return 'empty INTEGER';
  if (content.length > 1) {
    const [first, second] = [content[0]!, content[1]!];
    if ((first === 0x00 && (second & 0x80) === 0) || (first === 0xff && (second & 0x80) !== 0)) {
      return 'non-minimal INTEGER encoding';
    }
  }
  return undefined;
}

function bitStringProblem(content: Uint8Array): string | undefined {
  const unused = content[0];
  if (unused === undefined) return 'empty BIT STRING';
  if (unused > 7 || (content.length === 1 && unused !== 0)) return 'BIT STRING has an invalid unused-bits count';
  const last = content[content.length - 1]!;
  return (last & ((1 << unused) - 1)) === 0 ? undefined : 'BIT STRING unused bits are not zero';
}

function oidProblem(content: Uint8Array): string | undefined {
  if (content.length === 0) return 'empty OBJECT IDENTIFIER';
  if ((content[content.length - 1]! & 0x80) !== 0) return 'truncated OBJECT IDENTIFIER';
  for (let i = 0; i < content.length; i++) {
    const startsArc = i === 0 || (content[i - 1]! & 0x80) === 0;
    if (startsArc && content[i] === 0x80) return 'non-minimal OBJECT IDENTIFIER arc';
  }
  return undefined;
}

/** Dotted text of a checked OBJECT IDENTIFIER (arcs beyond 2^46 are rare and go through BigInt). */
export function decodeOid(content: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (value > 2 ** 46) return decodeOidBig(content);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs[0]!;
  const head = first < 80 ? `${Math.floor(first / 40)}.${first % 40}` : `2.${first - 80}`;
  return arcs.length === 1 ? head : `${head}.${arcs.slice(1).join('.')}`;
}

function decodeOidBig(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 80n ? `${first / 40n}.${first % 40n}` : `2.${first - 80n}`;
  return [head, ...arcs.slice(1)].join('.');
}

function isUtf8(content: Uint8Array): boolean {
  try {
    utf8.decode(content);
    return true;
  } catch {
    return false;
  }
}

const RFC5280_UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const RFC5280_GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/**
 * The instant a UTCTime or GeneralizedTime names in the RFC 5280 form (Zulu, whole seconds, UTCTime
 * years 50-99 in the 1900s); undefined for any other form or a day that does not exist.
 */
export function decodeTime(tag: number, content: Uint8Array): Date | undefined {
  const match = (tag === TAG.UTC_TIME ? RFC5280_UTC_TIME : tag === TAG.GENERALIZED_TIME ? RFC5280_GENERALIZED_TIME : undefined)?.exec(latin1(content));
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const fullYear = tag === TAG.UTC_TIME ? (year >= 50 ? 1900 + year : 2000 + year) : year;
  const date = new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : undefined;
}

export function decodeUtf8(content: Uint8Array): string {
  return utf8.decode(content);
}

export function latin1(content: Uint8Array): string {
  return String.fromCharCode(...content);
}
