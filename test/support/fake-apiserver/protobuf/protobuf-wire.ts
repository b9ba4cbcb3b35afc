/** Protocol Buffers wire format: a reader yielding (field number, wire type, value) triples. */

export type WireValue =
  | { readonly wire: 0; readonly value: bigint }
  | { readonly wire: 1; readonly value: Buffer }
  | { readonly wire: 2; readonly value: Buffer }
  | { readonly wire: 5; readonly value: Buffer };

export interface WireField {
  readonly number: number;
  readonly data: WireValue;
}

export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

function readVarint(buffer: Buffer, offset: number): { value: bigint; next: number } {
  let result = 0n;
  let shift = 0n;
  for (let i = offset; i < buffer.length && shift < 70n; i += 1) {
    const byte = buffer[i] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value: result, next: i + 1 };
    shift += 7n;
  }
  throw new WireFormatError('truncated varint');
}

function take(buffer: Buffer, offset: number, length: number): Buffer {
  if (offset + length > buffer.length) throw new WireFormatError('truncated field');
  return buffer.subarray(offset, offset + length);
}

export function readFields(buffer: Buffer): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const key = readVarint(buffer, offset);
    offset = key.next;
    const number = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    switch (wire) {
      case 0: {
        const v = readVarint(buffer, offset);
        offset = v.next;
        fields.push({ number, data: { wire: 0, value: v.value } });
        break;
      }
      case 1:
        fields.push({ number, data: { wire: 1, value: take(buffer, offset, 8) } });
        offset += 8;
        break;
      case 2: {
        const length = readVarint(buffer, offset);
        offset = length.next;
        fields.push({ number, data: { wire: 2, value: take(buffer, offset, Number(length.value)) } });
        offset += Number(length.value);
        break;
      }
      case 5:
        fields.push({ number, data: { wire: 5, value: take(buffer, offset, 4) } });
        offset += 4;
        break;
      default:
        throw new WireFormatError(`unsupported wire type ${wire}`);
    }
  }
  return fields;
}

/** Varints packed into one length-delimited field (proto3-style repeated scalars). */
export function readPackedVarints(buffer: Buffer): bigint[] {
  const values: bigint[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const v = readVarint(buffer, offset);
    values.push(v.value);
    offset = v.next;
  }
  return values;
}
