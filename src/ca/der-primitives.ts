import { TAG } from './der-tags.js';

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/; // '*' and '&' tolerated as many encoders emit them
const VISIBLE = /^[\x20-\x7e]*$/;
const UTC_TIME = /^\d{12}Z$/;
const GENERALIZED_TIME = /^\d{14}(\.\d*[1-9])?Z$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why `content` is not the DER form of universal type `tag`, or undefined when it is. */
export function primitiveProblem(tag: number, content: Uint8Array): string | undefined {
  switch (tag) {
    case TAG.BOOLEAN:
      return content.length === 1 && (content[0] === 0x00 || content[0] === 0xff) ? undefined : 'BOOLEAN must be one byte 0x00 or 0xFF';
    case TAG.INTEGER:
    case 0x0a:
      return integerProblem(content);
    case TAG.BIT_STRING:
      return bitStringProblem(content);
    case TAG.NULL:
      return content.length === 0 ? undefined : 'NULL must be empty';
    case TAG.OID:
      return oidProblem(content);
    case TAG.UTF8_STRING:
      return isUtf8(content) ? undefined : 'UTF8String is not valid UTF-8';
    case TAG.PRINTABLE_STRING:
      return PRINTABLE.test(latin1(content)) ? undefined : 'PrintableString holds characters outside its alphabet';
    case TAG.IA5_STRING:
      return content.every((byte) => byte < 0x80) ? undefined : 'IA5String holds non-ASCII bytes';
    case 0x1a:
      return VISIBLE.test(latin1(content)) ? undefined : 'VisibleString holds non-printable characters';
    case 0x17:
      return UTC_TIME.test(latin1(content)) ? undefined : 'UTCTime is not in DER form YYMMDDHHMMSSZ';
    case 0x18:
      return GENERALIZED_TIME.test(latin1(content)) ? undefined : 'GeneralizedTime is not in DER form';
    case TAG.BMP_STRING:
      return content.length % 2 === 0 ? undefined : 'BMPString has an odd length';
    case TAG.UNIVERSAL_STRING:
      return content.length % 4 === 0 ? undefined : 'UniversalString length is not a multiple of 4';
    default:
      return undefined;
  }
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

export function decodeUtf8(content: Uint8Array): string {
  return utf8.decode(content);
}

export function latin1(content: Uint8Array): string {
  return String.fromCharCode(...content);
}
