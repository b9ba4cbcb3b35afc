import { primitiveProblem } from './der-primitives.js';
import { DerReader, hexByte, readHeader, type DerContext, type DerElement } from './der-reader.js';
import { TAG } from './der-tags.js';
import { CaError } from './errors.js';

const CONSTRUCTED = 0x20;
const CLASS_MASK = 0xc0;
const MAX_DEPTH = 32;

/**
 * Walks every TLV in bytes[start, end) and checks the DER rules that hold whatever the grammar:
 * lengths, constructed-vs-primitive, and the content rules of universal primitive types.
 */
export function checkStrictDer(bytes: Uint8Array, context: DerContext, start = 0, end = bytes.length): void {
  walk(bytes, context, start, end, 0);
}

/**
 * Reads the one SEQUENCE that must fill `der` (`name` is the SEQUENCE, `whole` the input in
 * messages), checks every TLV of it with checkStrictDer, and returns a reader over its contents.
 */
export function enterStrictSequence(der: Uint8Array, context: DerContext, name: string, whole: string): DerReader {
  const top = new DerReader(der, context);
  const element = top.expect(TAG.SEQUENCE, name);
  top.finish(whole);
  checkStrictDer(der, context, element.start, element.end);
  return top.child(element);
}

function walk(bytes: Uint8Array, context: DerContext, start: number, end: number, depth: number): void {
  if (depth > MAX_DEPTH) {
    throw new CaError(context.reason, `${context.what}: nested deeper than ${MAX_DEPTH} levels`);
  }
  let pos = start;
  while (pos < end) {
    const element = readHeader(bytes, pos, end, context);
    if ((element.tag & CONSTRUCTED) !== 0) {
      checkConstructedTag(element, context);
      walk(bytes, context, element.contentStart, element.end, depth + 1);
    } else if ((element.tag & CLASS_MASK) === 0) {
      checkUniversalPrimitive(bytes, element, context);
    }
    pos = element.end;
  }
}

function checkConstructedTag(element: DerElement, context: DerContext): void {
  const universal = (element.tag & CLASS_MASK) === 0;
  if (universal && element.tag !== TAG.SEQUENCE && element.tag !== TAG.SET) {
    throw new CaError(context.reason, `${context.what}: constructed encoding of universal tag 0x${hexByte(element.tag)} at byte ${element.start} is BER, not DER`);
  }
}

function checkUniversalPrimitive(bytes: Uint8Array, element: DerElement, context: DerContext): void {
  if (element.tag === (TAG.SEQUENCE & ~CONSTRUCTED) || element.tag === (TAG.SET & ~CONSTRUCTED)) {
    throw new CaError(context.reason, `${context.what}: SEQUENCE/SET at byte ${element.start} is not marked constructed`);
  }
  const problem = primitiveProblem(element.tag, bytes.subarray(element.contentStart, element.end));
  if (problem !== undefined) {
    throw new CaError(context.reason, `${context.what}: ${problem} at byte ${element.start}`);
  }
}
