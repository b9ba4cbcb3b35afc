import { decodeOid, decodeTime, latin1, primitiveProblem } from './der-primitives.js';
import { TAG } from './der-tags.js';
import { CaError } from './errors.js';
import type { CaErrorReason } from './errors.js';

/** One TLV: its tag byte and where its header and contents sit in the buffer. */
export interface DerElement {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** Whoever reads DER says which refusal a malformed encoding becomes and how to name the field. */
export interface DerContext {
  readonly reason: CaErrorReason;
  readonly what: string;
}

/**
 * The one DER reader of the core (CSRs, keys, certificates, extension values): a cursor that accepts
 * only the distinguished encoding — single-byte tags, definite minimal lengths, nothing past the
 * end. Typed readers add each type's own DER rules, so a value that passes re-encodes to the same
 * bytes. Every failure is a CaError with the reason of the context.
 */
export class DerReader {
  private pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly context: DerContext,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  peekTag(): number | undefined {
    return this.pos < this.end ? this.bytes[this.pos] : undefined;
  }

  next(): DerElement {
    const element = readHeader(this.bytes, this.pos, this.end, this.context);
    this.pos = element.end;
    return element;
  }

  expect(tag: number, name: string): DerElement {
    const found = this.peekTag();
    if (found !== tag) {
      this.fail(found === undefined ? `${name} is missing` : `${name}: expected tag 0x${hexByte(tag)}, found 0x${hexByte(found)}`);
    }
    return this.next();
  }

  /** Reads the next element only when it carries `tag`. */
  optional(tag: number): DerElement | undefined {
    return this.peekTag() === tag ? this.next() : undefined;
  }

  /** Enters a constructed element (SEQUENCE, SET, or a constructed context tag). */
  enter(tag: number, name: string): DerReader {
    const element = this.expect(tag, name);
    return this.child(element);
  }

  child(element: DerElement): DerReader {
    return new DerReader(this.bytes, this.context, element.contentStart, element.end);
  }

  /** The contents of an INTEGER after checking its minimal two's-complement form. */
  integer(name: string): Uint8Array {
    return this.contents(this.expect(TAG.INTEGER, name), TAG.INTEGER, name);
  }

  /** An INTEGER that must be small and non-negative (versions, path lengths). */
  smallInteger(name: string): number {
    const content = this.integer(name);
    if (content.length > 4 || (content[0]! & 0x80) !== 0) {
      this.fail(`${name} must be a small non-negative integer`);
    }
    return content.reduce((value, byte) => value * 256 + byte, 0);
  }

  boolean(name: string): boolean {
    return this.contents(this.expect(TAG.BOOLEAN, name), TAG.BOOLEAN, name)[0] === 0xff;
  }

  oid(name: string): string {
    return decodeOid(this.contents(this.expect(TAG.OID, name), TAG.OID, name));
  }

  octetString(name: string): DerElement {
    return this.expect(TAG.OCTET_STRING, name);
  }

  /** The bytes of a BIT STRING that must have no unused bits (keys, signatures). */
  octetAlignedBitString(name: string): Uint8Array {
    const content = this.contents(this.expect(TAG.BIT_STRING, name), TAG.BIT_STRING, name);
    if (content[0] !== 0) {
      this.fail(`${name} must be a whole number of bytes`);
    }
    return content.subarray(1);
  }

  /** A UTCTime or GeneralizedTime in the RFC 5280 form (Zulu, whole seconds). */
  time(name: string): Date {
    const element = this.next();
    const content = this.contents(element, element.tag, name);
    const date = decodeTime(element.tag, content);
    if (date === undefined) {
      this.fail(`${name}: "${latin1(content)}" (tag 0x${hexByte(element.tag)}) is not an RFC 5280 UTCTime or GeneralizedTime`);
    }
    return date;
  }

  /** Validated contents of an element already read, by the rules of its universal type. */
  contents(element: DerElement, tag: number, name: string): Uint8Array {
    const content = this.bytes.subarray(element.contentStart, element.end);
    const problem = primitiveProblem(tag, content);
    if (problem !== undefined) {
      this.fail(`${name}: ${problem} at byte ${element.start}`);
    }
    return content;
  }

  /** Raw bytes of an element, header included. */
  raw(element: DerElement): Uint8Array {
    return this.bytes.subarray(element.start, element.end);
  }

  /** Refuses anything left after the last element read; `name` says where ("the CSR"). */
  finish(name: string): void {
    if (this.pos !== this.end) {
      this.fail(`${this.end - this.pos} unexpected trailing byte(s) in ${name} at byte ${this.pos}`);
    }
  }

  fail(message: string): never {
    throw new CaError(this.context.reason, `${this.context.what}: ${message}`);
  }
}

/** The header of the TLV at `start`, refusing every non-DER form of tag and length. */
export function readHeader(bytes: Uint8Array, start: number, end: number, context: DerContext): DerElement {
  if (end - start < 2) headerFailure(context, 'truncated element', start);
  const tag = bytes[start]!;
  if ((tag & 0x1f) === 0x1f) headerFailure(context, 'multi-byte tag', start);
  if (tag === 0x00) headerFailure(context, 'end-of-contents marker (BER indefinite length)', start);
  const first = bytes[start + 1]!;
  let length = first;
  let contentStart = start + 2;
  if (first === 0x80) headerFailure(context, 'indefinite length (BER, not DER)', start);
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 3) headerFailure(context, 'length field too long', start);
    if (contentStart + count > end) headerFailure(context, 'truncated length', start);
    if (bytes[contentStart] === 0) headerFailure(context, 'non-minimal length (leading zero byte)', start);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[contentStart + i]!;
    if (length < 0x80) headerFailure(context, 'non-minimal length (long form for a short length)', start);
    contentStart += count;
  }
  if (contentStart + length > end) headerFailure(context, `length ${length} runs past the end of the enclosing data`, start);
  return { tag, start, contentStart, end: contentStart + length };
}

function headerFailure(context: DerContext, problem: string, at: number): never {
  throw new CaError(context.reason, `${context.what}: ${problem} at byte ${at}`);
}

export function hexByte(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/** A TLV together with the buffer it sits in: a tree view for code that walks DER rather than reading a grammar. */
export interface DerNode extends DerElement {
  readonly source: Uint8Array;
}

const ANY_DER: DerContext = { reason: 'der_invalid', what: 'DER' };

/** Exactly one TLV with nothing after it (headers checked as strictly as DerReader does). */
export function readSingle(bytes: Uint8Array, context: DerContext = ANY_DER): DerNode {
  const reader = new DerReader(bytes, context);
  const element = reader.next();
  reader.finish('the value');
  return { source: bytes, ...element };
}

export function childrenOf(node: DerNode, context: DerContext = ANY_DER): DerNode[] {
  const reader = new DerReader(node.source, context, node.contentStart, node.end);
  const children: DerNode[] = [];
  while (!reader.atEnd()) children.push({ source: node.source, ...reader.next() });
  return children;
}

export function contentOf(node: DerNode): Uint8Array {
  return node.source.subarray(node.contentStart, node.end);
}

export function encodingOf(node: DerNode): Uint8Array {
  return node.source.subarray(node.start, node.end);
}
