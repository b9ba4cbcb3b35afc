import { describe, expect, it } from 'vitest';
import { integerFromBytes } from '../../../src/ca/der.js';
import { CaError } from '../../../src/ca/errors.js';
import { certificateTypeOfSerial, newSerial, SERIAL_LENGTH, serialToHex } from '../../../src/ca/serial.js';

/** A deterministic "random" source that records what it was asked for. */
function countingSource(fill: number) {
  const sizes: number[] = [];
  return {
    sizes,
    randomBytes: (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(fill);
    },
  };
}

describe('newSerial', () => {
  it.each([
    ['webhook', 0x01],
    ['private_server', 0x02],
  ] as const)('a %s serial is 16 bytes starting with 0x%s, then the 15 random bytes', (type, typeByte) => {
    const source = countingSource(0xab);
    const serial = newSerial(type, source.randomBytes);
    expect(serial.length).toBe(SERIAL_LENGTH);
    expect(serial[0]).toBe(typeByte);
    expect([...serial.subarray(1)]).toEqual(new Array(15).fill(0xab));
    expect(source.sizes).toEqual([15]);
    expect(certificateTypeOfSerial(serialToHex(serial))).toBe(type);
  });

  it('is positive and exactly 16 content octets as a DER INTEGER, even with 0xff random bytes', () => {
    const serial = newSerial('webhook', countingSource(0xff).randomBytes);
    const encoded = integerFromBytes(serial);
    expect(encoded[1]).toBe(16);
    expect(encoded[2]! & 0x80).toBe(0);
    expect(encoded.subarray(2)).toEqual(serial);
  });

  it('uses the real random source by default', () => {
    const a = newSerial('webhook');
    const b = newSerial('webhook');
    expect(serialToHex(a)).not.toBe(serialToHex(b));
    expect(serialToHex(a)).toMatch(/^01[0-9a-f]{30}$/);
  });

  it('refuses a random source that returns the wrong number of bytes', () => {
    expect(() => newSerial('webhook', () => new Uint8Array(8))).toThrow(CaError);
  });
});

describe('certificateTypeOfSerial', () => {
  it('is undefined for serials that do not start with a type byte', () => {
    expect(certificateTypeOfSerial('03' + '00'.repeat(15))).toBeUndefined();
    expect(certificateTypeOfSerial('')).toBeUndefined();
  });
});
