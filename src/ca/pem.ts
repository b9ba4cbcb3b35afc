import { Buffer } from 'node:buffer';
import { CaError } from './errors.js';

/** One PEM block: its label ("CERTIFICATE REQUEST") and the DER it carries. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

export const CSR_PEM_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'] as const;

const DASHES = '-----';
const BEGIN = '-----BEGIN ';
const END = '-----END ';
// Whitespace is spelled out: JavaScript's \s also matches NBSP, BOM and other Unicode spaces.
const WHITESPACE = /[ \t\r\n]+/g;
const ONLY_WHITESPACE = /^[ \t\r\n]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface PemDecodeOptions {
  /** 'whitespace' (the default): only whitespace may stand outside the blocks. 'any': other text
   *  there is skipped, as in certificate files with openssl's "subject=" lines. */
  readonly outsideBlocks?: 'whitespace' | 'any';
}

/**
 * Decodes every PEM block of `text` strictly: END label equal to BEGIN label, canonical base64
 * (right alphabet and padding, zero trailing bits), and by default only whitespace between and
 * around blocks.
 */
export function decodePemBlocks(text: string, options: PemDecodeOptions = {}): PemBlock[] {
  if (typeof text !== 'string') {
    throw new CaError('pem_invalid', 'PEM input must be text');
  }
  const onlyWhitespaceOutside = options.outsideBlocks !== 'any';
  const blocks: PemBlock[] = [];
  let cursor = 0;
  // A linear scan with indexOf: a lazy regex would go quadratic on many unclosed BEGIN lines.
  for (let begin = text.indexOf(BEGIN); begin >= 0; begin = text.indexOf(BEGIN, cursor)) {
    if (onlyWhitespaceOutside) checkGap(text, cursor, begin);
    const [label, bodyStart] = readLabel(text, begin + BEGIN.length, 'BEGIN');
    const end = text.indexOf(END, bodyStart);
    if (end < 0) {
      throw new CaError('pem_invalid', `the PEM block "BEGIN ${label}" at character ${begin} has no matching END line`, label);
    }
    const body = text.slice(bodyStart, end);
    if (body.includes(DASHES)) {
      throw new CaError('pem_invalid', `PEM block "BEGIN ${label}" is not closed before the next BEGIN line`, label);
    }
    const [endLabel, after] = readLabel(text, end + END.length, 'END');
    if (endLabel !== label) {
      throw new CaError('pem_invalid', `PEM block "BEGIN ${label}" is closed by "END ${endLabel}"`, endLabel);
    }
    blocks.push({ label, der: decodeBase64Body(body, label) });
    cursor = after;
  }
  if (onlyWhitespaceOutside) checkGap(text, cursor, text.length);
  return blocks;
}

/** The label after "-----BEGIN " or "-----END " up to the closing dashes, and where the line ends. */
function readLabel(text: string, start: number, kind: 'BEGIN' | 'END'): [string, number] {
  const close = text.indexOf(DASHES, start);
  const label = close < 0 ? '' : text.slice(start, close);
  if (close < 0 || /[\r\n]/.test(label) || label.length > 64) {
    throw new CaError('pem_invalid', `malformed PEM ${kind} line at character ${start - kind.length - 6}`);
  }
  return [label, close + DASHES.length];
}

/** Exactly one block whose label is one of `labels`; `what` names the object in messages. */
export function decodeSinglePem(text: string, labels: readonly string[], what: string): PemBlock {
  if (typeof text === 'string' && ONLY_WHITESPACE.test(text)) {
    throw new CaError('pem_invalid', `the ${what} is empty; expected a PEM block "-----BEGIN ${labels[0]}-----"`);
  }
  if (typeof text === 'string' && !text.includes('-----BEGIN ')) {
    throw new CaError('pem_invalid', `no PEM block found; expected "-----BEGIN ${labels[0]}-----"`);
  }
  const blocks = decodePemBlocks(text);
  const [block] = blocks;
  if (block === undefined) {
    throw new CaError('pem_invalid', `no complete PEM block found; expected "-----BEGIN ${labels[0]}-----"`);
  }
  if (blocks.length > 1) {
    throw new CaError('pem_invalid', tooManyBlocksMessage(blocks, labels, what), String(blocks.length));
  }
  if (!labels.includes(block.label)) {
    throw new CaError('pem_invalid', `the PEM block is labelled "${block.label}", expected "${labels[0]}"`, block.label);
  }
  return block;
}

/** PEM text for a DER value (RFC 7468 strict form: 64-character lines, trailing newline). */
export function encodePem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let body = '';
  for (let i = 0; i < base64.length; i += 64) {
    body += `${base64.slice(i, i + 64)}\n`;
  }
  return `${BEGIN}${label}${DASHES}\n${body}${END}${label}${DASHES}\n`;
}

export function encodeCertificatePem(der: Uint8Array): string {
  return encodePem('CERTIFICATE', der);
}

function tooManyBlocksMessage(blocks: readonly PemBlock[], labels: readonly string[], what: string): string {
  const found = blocks.map((block) => `"${block.label}"`).join(', ');
  const keyWarning = blocks.some((block) => block.label.includes('PRIVATE KEY'))
    ? ' One of them is a private key: never send it, and consider it exposed.'
    : '';
  return `found ${blocks.length} PEM blocks (${found}); the ${what} must be exactly one "${labels[0]}" block.${keyWarning}`;
}

function checkGap(text: string, from: number, to: number): void {
  const gap = text.slice(from, to);
  if (ONLY_WHITESPACE.test(gap)) return;
  const snippet = gap.trim().slice(0, 20);
  throw new CaError('pem_invalid', `unexpected text outside the PEM block at character ${from + gap.search(/[^ \t\r\n]/)}: "${snippet}"`, snippet);
}

function decodeBase64Body(body: string, label: string): Uint8Array {
  const compact = body.replace(WHITESPACE, '');
  if (compact.length === 0) {
    throw new CaError('pem_invalid', `the "${label}" PEM block is empty`);
  }
  const bad = compact.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) {
    const character = compact[bad]!;
    throw new CaError('pem_invalid', `the "${label}" PEM block holds "${printable(character)}", which is not base64`, character);
  }
  if (!BASE64.test(compact) || compact.length % 4 !== 0) {
    throw new CaError('pem_invalid', `the "${label}" PEM block is not padded base64 (misplaced "=" or truncated)`);
  }
  const der = Buffer.from(compact, 'base64');
  if (der.toString('base64') !== compact) {
    throw new CaError('pem_invalid', `the "${label}" PEM block is not canonical base64 (non-zero trailing bits)`);
  }
  return new Uint8Array(der.buffer, der.byteOffset, der.byteLength);
}

function printable(character: string): string {
  const code = character.charCodeAt(0);
  return code >= 0x20 && code < 0x7f ? character : `\\u${code.toString(16).padStart(4, '0')}`;
}
