import { describe, expect, it } from 'vitest';
import {
  bitString,
  booleanValue,
  encodeLength,
  generalizedTime,
  integerFromBytes,
  integerFromNumber,
  oid,
  sequence,
  time,
  tlv,
  utcTime,
} from '../../../src/ca/der.js';
import { decodeOid } from '../../../src/ca/der-primitives.js';
import { childrenOf, contentOf, DerReader, readSingle } from '../../../src/ca/der-reader.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

describe('encodeLength', () => {
  it.each([
    [0, '00'],
    [127, '7f'],
    [128, '8180'],
    [255, '81ff'],
    [256, '820100'],
    [65535, '82ffff'],
    [65536, '83010000'],
  ])('encodes %i as %s', (length, expected) => {
    expect(hex(encodeLength(length))).toBe(expected);
  });

  it('refuses negative and fractional lengths', () => {
    expect(() => encodeLength(-1)).toThrow(RangeError);
    expect(() => encodeLength(1.5)).toThrow(RangeError);
  });
});

describe('tlv', () => {
  it.each([0, 1, 127, 128, 255, 256, 65535, 65536])('wraps %i content bytes with a header the reader agrees on', (size) => {
    const content = new Uint8Array(size).fill(0x5a);
    const encoded = tlv(0x04, content.subarray(0, Math.floor(size / 2)), content.subarray(Math.floor(size / 2)));
    const node = readSingle(encoded);
    expect(node.tag).toBe(0x04);
    expect(hex(encoded.subarray(1, node.contentStart))).toBe(hex(encodeLength(size)));
    expect(contentOf(node)).toEqual(content);
  });

  it('nests sequences', () => {
    expect(hex(sequence(sequence(), booleanValue(true)))).toBe('30053000' + '0101ff');
  });
});

describe('integerFromBytes', () => {
  it.each([
    ['', '020100'],
    ['00', '020100'],
    ['0000', '020100'],
    ['01', '020101'],
    ['7f', '02017f'],
    ['80', '02020080'],
    ['ff', '020200ff'],
    ['0080', '02020080'],
    ['000001', '020101'],
    ['00007f', '02017f'],
    ['0102030405060708090a0b0c0d0e0f10', '02100102030405060708090a0b0c0d0e0f10'],
    ['8102030405060708090a0b0c0d0e0f10', '0211008102030405060708090a0b0c0d0e0f10'],
  ])('encodes magnitude %s minimally as %s', (magnitude, expected) => {
    expect(hex(integerFromBytes(bytes(magnitude)))).toBe(expected);
  });

  it.each([
    [0, '020100'],
    [127, '02017f'],
    [128, '02020080'],
    [256, '02020100'],
    [65535, '020300ffff'],
  ])('integerFromNumber(%i) is %s', (value, expected) => {
    expect(hex(integerFromNumber(value))).toBe(expected);
  });
});

describe('oid', () => {
  it.each([
    ['2.5.29.17', '0603551d11'],
    ['1.2.840.10045.4.3.2', '06082a8648ce3d040302'],
    ['1.2.840.113549.1.1.11', '06092a864886f70d01010b'],
    ['1.3.6.1.5.5.7.3.1', '06082b06010505070301'],
    ['2.999.3', '0603883703'],
  ])('encodes %s as %s and decodes back', (dotted, expected) => {
    const encoded = oid(dotted);
    expect(hex(encoded)).toBe(expected);
    expect(decodeOid(contentOf(readSingle(encoded)))).toBe(dotted);
  });

  it.each(['1', '3.1', '1.40', '1.2.03', '1..2', 'a.b'])('refuses "%s"', (dotted) => {
    expect(() => oid(dotted)).toThrow(RangeError);
  });
});

describe('bitString', () => {
  it('prefixes the unused-bits count', () => {
    expect(hex(bitString(Uint8Array.of(0x80), 7))).toBe('03020780');
    expect(hex(bitString(Uint8Array.of(1, 2)))).toBe('0303000102');
  });
});

describe('time (RFC 5280 §4.1.2.5)', () => {
  const ascii = (encoded: Uint8Array): string => Buffer.from(contentOf(readSingle(encoded))).toString('latin1');

  it.each([
    ['1950-01-01T00:00:00Z', 0x17, '500101000000Z'],
    ['2026-11-29T01:02:03Z', 0x17, '261129010203Z'],
    ['2049-12-31T23:59:59Z', 0x17, '491231235959Z'],
    ['2050-01-01T00:00:00Z', 0x18, '20500101000000Z'],
    ['2099-06-15T12:00:00Z', 0x18, '20990615120000Z'],
    ['1949-12-31T23:59:59Z', 0x18, '19491231235959Z'],
  ])('%s is tag %i "%s" and decodes back', (iso, tag, text) => {
    const encoded = time(new Date(iso));
    expect(encoded[0]).toBe(tag);
    expect(ascii(encoded)).toBe(text);
    expect(new DerReader(encoded, { reason: 'der_invalid', what: 'time' }).time('time').toISOString()).toBe(new Date(iso).toISOString());
  });

  it('truncates milliseconds', () => {
    expect(ascii(time(new Date('2030-01-02T03:04:05.999Z')))).toBe('300102030405Z');
  });

  it('UTCTime refuses years outside 1950..2049; GeneralizedTime takes them', () => {
    expect(() => utcTime(new Date('2050-01-01T00:00:00Z'))).toThrow(RangeError);
    expect(() => utcTime(new Date('1949-12-31T00:00:00Z'))).toThrow(RangeError);
    expect(ascii(generalizedTime(new Date('2049-12-31T23:59:59Z')))).toBe('20491231235959Z');
  });
});

describe('der reader', () => {
  it('walks children and refuses lengths running past their container', () => {
    const encoded = sequence(integerFromNumber(5), oid('2.5.4.3'));
    expect(childrenOf(readSingle(encoded)).map((child) => child.tag)).toEqual([0x02, 0x06]);
    expect(() => readSingle(bytes('3005020105'))).toThrow();
    expect(() => readSingle(bytes('300002'))).toThrow();
    expect(() => readSingle(bytes('3080'))).toThrow();
  });
});
