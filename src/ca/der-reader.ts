/**
 * A minimal DER reader for the signing side: walks certificates this CA loads or creates (definite
 * lengths, single-byte tags). It is not a validator of untrusted CSRs — that is der-strict.ts.
 */

export class DerReadError extends Error {
  override readonly name = 'DerReadError';
}

/** One TLV inside `source`: [start, contentStart) is the header, [contentStart, end) the content. */
export interface DerNode {
  readonly source: Uint8Array;
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

export function readNode(source: Uint8Array, offset = 0, limit = source.length): DerNode {
  const tag = source[offset];
  if (tag === undefined || offset >= limit) {
    throw new DerReadError('unexpected end of DER data');
  }
  if ((tag & 0x1f) === 0x1f) {
    throw new DerReadError('multi-byte tags are not supported');
  }
  const first = source[offset + 1];
  if (first === undefined) {
    throw new DerReadError('unexpected end of DER data');
  }
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) {
      throw new DerReadError('indefinite or oversized length');
    }
    length = 0;
    for (let i = 0; i < count; i++) {
      length = length * 256 + (source[contentStart + i] ?? Number.NaN);
    }
    contentStart += count;
  }
  const end = contentStart + length;
  if (!Number.isFinite(length) || end > limit) {
    throw new DerReadError('DER length runs past the end of its container');
  }
  return { source, tag, start: offset, contentStart, end };
}

/** Parses `bytes` as exactly one TLV with nothing after it. */
export function readSingle(bytes: Uint8Array): DerNode {
  const node = readNode(bytes);
  if (node.end !== bytes.length) {
    throw new DerReadError('trailing bytes after DER value');
  }
  return node;
}

export function childrenOf(node: DerNode): DerNode[] {
  const children: DerNode[] = [];
  for (let offset = node.contentStart; offset < node.end; ) {
    const child = readNode(node.source, offset, node.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

export function contentOf(node: DerNode): Uint8Array {
  return node.source.subarray(node.contentStart, node.end);
}

export function encodingOf(node: DerNode): Uint8Array {
  return node.source.subarray(node.start, node.end);
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (node?.tag !== tag) {
    throw new DerReadError(`expected ${what}`);
  }
  return node;
}

export function decodeOid(node: DerNode): string {
  const content = contentOf(node);
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const [head, ...rest] = arcs;
  if (head === undefined || content.length === 0 || (content[content.length - 1]! & 0x80) !== 0) {
    throw new DerReadError('malformed OBJECT IDENTIFIER');
  }
  const first = head < 80n ? head / 40n : 2n;
  return [first, head - first * 40n, ...rest].join('.');
}

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/** UTCTime or GeneralizedTime in the RFC 5280 form (Zulu, whole seconds). */
export function decodeTime(node: DerNode): Date {
  const text = new TextDecoder().decode(contentOf(node));
  const match = (node.tag === 0x17 ? UTC_TIME : node.tag === 0x18 ? GENERALIZED_TIME : undefined)?.exec(text);
  if (!match) {
    throw new DerReadError(`unsupported time value "${text}"`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const fullYear = node.tag === 0x17 ? (year >= 50 ? 1900 + year : 2000 + year) : year;
  const date = new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new DerReadError(`invalid date "${text}"`);
  }
  return date;
}
