import { describe, expect, it } from 'vitest';
import { decodeOid } from '../../../src/ca/der-primitives.js';
import { DerReader } from '../../../src/ca/der-reader.js';
import type { DerContext } from '../../../src/ca/der-reader.js';
import { checkStrictDer } from '../../../src/ca/der-strict.js';
import { TAG } from '../../../src/ca/der-tags.js';
import { CaError } from '../../../src/ca/errors.js';
import { derInteger, derOid, derUtf8, seq, set, tlv } from '../../support/csr-factory.js';

const context: DerContext = { reason: 'der_invalid', what: 'test' };
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

function problemOf(der: Uint8Array): string {
  try {
    checkStrictDer(der, context);
  } catch (error) {
    if (error instanceof CaError && error.reason === 'der_invalid') return error.message;
    throw error;
  }
  return 'ok';
}

describe('checkStrictDer', () => {
  it.each([
    ['a SEQUENCE of INTEGER, OID, UTF8String', seq(derInteger(0), derOid('1.2.840.113549.1.1.11'), derUtf8('ü'))],
    ['a 200-byte OCTET STRING (long-form length)', tlv(0x04, new Uint8Array(200))],
    ['negative INTEGER -129 (ff 7f)', bytes(0x02, 0x02, 0xff, 0x7f)],
    ['INTEGER 128 (00 80)', bytes(0x02, 0x02, 0x00, 0x80)],
    ['BIT STRING with 3 zero pad bits', bytes(0x03, 0x02, 0x03, 0xa8)],
    ['UTCTime in DER form', tlv(0x17, Uint8Array.from(Buffer.from('250101000000Z')))],
    ['GeneralizedTime with fraction', tlv(0x18, Uint8Array.from(Buffer.from('20250101000000.5Z')))],
    ['context-specific constructed and primitive tags', tlv(0xa0, tlv(0x80, bytes(1, 2, 3)))],
  ])('accepts %s', (_name, der) => {
    expect(problemOf(der)).toBe('ok');
  });

  it.each([
    ['indefinite length', bytes(0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00), 'indefinite length'],
    ['long form for a short length', bytes(0x02, 0x81, 0x01, 0x00), 'non-minimal length (long form'],
    ['length with a leading zero byte', concat(bytes(0x04, 0x82, 0x00, 0x80), new Uint8Array(128)), 'leading zero'],
    ['length past the end', bytes(0x30, 0x05, 0x02, 0x01, 0x00), 'runs past the end'],
    ['a 5-byte length field', bytes(0x04, 0x85, 1, 0, 0, 0, 0), 'length field too long'],
    ['a truncated header', bytes(0x30), 'truncated element'],
    ['non-minimal positive INTEGER', bytes(0x02, 0x02, 0x00, 0x7f), 'non-minimal INTEGER'],
    ['non-minimal negative INTEGER', bytes(0x02, 0x02, 0xff, 0x80), 'non-minimal INTEGER'],
    ['empty INTEGER', bytes(0x02, 0x00), 'empty INTEGER'],
    ['BOOLEAN 0x01', bytes(0x01, 0x01, 0x01), 'BOOLEAN'],
    ['BOOLEAN of two bytes', bytes(0x01, 0x02, 0xff, 0xff), 'BOOLEAN'],
    ['NULL with contents', bytes(0x05, 0x01, 0x00), 'NULL must be empty'],
    ['BIT STRING with set pad bits', bytes(0x03, 0x02, 0x01, 0x01), 'unused bits are not zero'],
    ['BIT STRING claiming 8 unused bits', bytes(0x03, 0x02, 0x08, 0x00), 'unused-bits count'],
    ['empty BIT STRING claiming unused bits', bytes(0x03, 0x01, 0x01), 'unused-bits count'],
    ['OID arc with a 0x80 pad', bytes(0x06, 0x03, 0x2a, 0x80, 0x01), 'non-minimal OBJECT IDENTIFIER'],
    ['truncated OID', bytes(0x06, 0x02, 0x2a, 0x86), 'truncated OBJECT IDENTIFIER'],
    ['invalid UTF-8', bytes(0x0c, 0x01, 0xff), 'UTF-8'],
    ['PrintableString with "@"', tlv(0x13, Uint8Array.from(Buffer.from('a@b'))), 'PrintableString'],
    ['IA5String with a high byte', bytes(0x16, 0x01, 0xe9), 'IA5String'],
    ['UTCTime without Z', tlv(0x17, Uint8Array.from(Buffer.from('2501010000+0100'))), 'UTCTime'],
    ['GeneralizedTime with a trailing zero fraction', tlv(0x18, Uint8Array.from(Buffer.from('20250101000000.50Z'))), 'GeneralizedTime'],
    ['constructed OCTET STRING', bytes(0x24, 0x03, 0x04, 0x01, 0x00), 'constructed encoding'],
    ['primitive SEQUENCE tag', bytes(0x10, 0x00), 'not marked constructed'],
    ['multi-byte tag', bytes(0x1f, 0x81, 0x00, 0x00), 'multi-byte tag'],
    ['end-of-contents marker', bytes(0x00, 0x00), 'end-of-contents'],
    ['BER inside a nested SET', seq(set(bytes(0x02, 0x81, 0x01, 0x05))), 'non-minimal length'],
  ])('refuses %s', (_name, der, message) => {
    expect(problemOf(der)).toContain(message);
  });

  it('names the byte offset of the problem', () => {
    expect(problemOf(seq(derInteger(1), bytes(0x01, 0x01, 0x05)))).toContain('at byte 5');
  });

  it('refuses nesting deeper than 32 levels instead of recursing without bound', () => {
    let der = derInteger(1);
    for (let depth = 0; depth < 40; depth++) der = seq(der);
    expect(problemOf(der)).toContain('nested deeper');
  });

  it('reports problems with the reason of its context', () => {
    expect(() => checkStrictDer(bytes(0x01, 0x01, 0x01), { reason: 'extension_invalid', what: 'ext' })).toThrowError(
      expect.objectContaining({ reason: 'extension_invalid', message: expect.stringMatching(/^ext: BOOLEAN/) }),
    );
  });
});

describe('DerReader', () => {
  it('reads a structure field by field and refuses leftovers', () => {
    const reader = new DerReader(seq(derInteger(5), derOid('2.5.4.3'), bytes(0x01, 0x01, 0xff)), context);
    const inner = reader.enter(TAG.SEQUENCE, 'outer');
    reader.finish('the input');
    expect(inner.smallInteger('n')).toBe(5);
    expect(inner.oid('oid')).toBe('2.5.4.3');
    expect(inner.boolean('flag')).toBe(true);
    inner.finish('outer');
    const leftover = new DerReader(concat(derInteger(1), derInteger(2)), context);
    leftover.integer('first');
    expect(() => leftover.finish('the input')).toThrowError('3 unexpected trailing byte(s) in the input at byte 3');
  });

  it('names the field it expected', () => {
    const reader = new DerReader(derInteger(1), context);
    expect(() => reader.expect(TAG.SEQUENCE, 'CertificationRequest')).toThrowError('test: CertificationRequest: expected tag 0x30, found 0x02');
    expect(() => new DerReader(new Uint8Array(0), context).expect(TAG.SEQUENCE, 'body')).toThrowError('body is missing');
  });

  it('refuses a BIT STRING with unused bits where whole bytes are required', () => {
    expect(() => new DerReader(bytes(0x03, 0x02, 0x01, 0x02), context).octetAlignedBitString('key')).toThrowError('whole number of bytes');
    expect(new DerReader(bytes(0x03, 0x02, 0x00, 0x07), context).octetAlignedBitString('key')).toEqual(bytes(0x07));
  });

  it('refuses negative or large small integers', () => {
    expect(() => new DerReader(bytes(0x02, 0x01, 0xff), context).smallInteger('version')).toThrowError('small non-negative');
    expect(() => new DerReader(derInteger(2n ** 40n), context).smallInteger('version')).toThrowError('small non-negative');
  });
});

describe('decodeOid', () => {
  it.each([
    ['1.2.840.113549.1.1.11'],
    ['2.5.29.17'],
    ['0.9.2342.19200300.100.1.25'],
    ['2.999.3'],
    ['2.25.329800735698586629295641978511506172918'],
    ['1.3.6.1.4.1.311.20.2.3'],
  ])('round-trips %s', (oid) => {
    expect(decodeOid(derOid(oid).subarray(2))).toBe(oid);
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}
