import { randomFillSync } from 'node:crypto';
import { CaError } from './errors.js';
import type { CertificateType } from './types.js';

export const SERIAL_LENGTH = 16;

/** The first serial byte names the certificate type, as the SMSGate CA does. */
export const SERIAL_TYPE_BYTE: Readonly<Record<CertificateType, number>> = { webhook: 0x01, private_server: 0x02 };

export type RandomBytes = (size: number) => Uint8Array;

const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let poolOffset = 0;

/**
 * CSPRNG bytes served from a pool refilled 4 KiB at a time: one crypto.randomBytes call per
 * certificate costs more than a tenth of an ECDSA P-256 signature. Each call gets a fresh copy.
 */
export const defaultRandomBytes: RandomBytes = (size) => {
  if (size > POOL_SIZE) {
    return randomFillSync(new Uint8Array(size));
  }
  if (poolOffset + size > pool.length) {
    pool = randomFillSync(new Uint8Array(POOL_SIZE));
    poolOffset = 0;
  }
  const out = pool.slice(poolOffset, poolOffset + size);
  poolOffset += size;
  return out;
};

/**
 * 16 octets: the type byte, then 15 random octets (120 bits). The type byte is below 0x80, so the
 * DER INTEGER is positive and exactly 16 octets long.
 */
export function newSerial(type: CertificateType, randomBytes: RandomBytes = defaultRandomBytes): Uint8Array {
  const random = randomBytes(SERIAL_LENGTH - 1);
  if (random.length !== SERIAL_LENGTH - 1) {
    throw new CaError('ca_material_invalid', `the random source returned ${random.length} bytes instead of ${SERIAL_LENGTH - 1}`);
  }
  const serial = new Uint8Array(SERIAL_LENGTH);
  serial[0] = SERIAL_TYPE_BYTE[type];
  serial.set(random, 1);
  return serial;
}

/**
 * A serial for certificates without a type byte (CA and server certificates): 16 octets, 126
 * random bits. The top two bits are fixed to 01 so the INTEGER is positive and never shorter.
 */
export function randomSerial(randomBytes: RandomBytes = defaultRandomBytes): Uint8Array {
  const serial = Uint8Array.from(randomBytes(SERIAL_LENGTH));
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return serial;
}

/** Lowercase hex without separators, the form records and APIs use. */
export function serialToHex(serial: Uint8Array): string {
  return Buffer.from(serial.buffer, serial.byteOffset, serial.byteLength).toString('hex');
}

/** The type a serial was issued for, or undefined when its first byte is not a type byte. */
export function certificateTypeOfSerial(serialHex: string): CertificateType | undefined {
  const first = Number.parseInt(serialHex.slice(0, 2), 16);
  return (Object.keys(SERIAL_TYPE_BYTE) as CertificateType[]).find((type) => SERIAL_TYPE_BYTE[type] === first);
}
