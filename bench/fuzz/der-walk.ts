/** Where each TLV header sits in a DER buffer: the tag byte and the first length byte. */
export interface TlvHeader {
  readonly tagAt: number;
  readonly lengthAt: number;
}

/** Every TLV header of `bytes`, descending into constructed values; stops quietly at anything malformed. */
export function tlvHeaders(bytes: Uint8Array, start = 0, end = bytes.length, found: TlvHeader[] = []): TlvHeader[] {
  let offset = start;
  while (offset + 2 <= end && found.length < 4096) {
    const header = readHeader(bytes, offset, end);
    if (header === undefined) break;
    found.push({ tagAt: offset, lengthAt: offset + 1 });
    if ((bytes[offset]! & 0x20) !== 0) tlvHeaders(bytes, header.contentStart, header.contentEnd, found);
    offset = header.contentEnd;
  }
  return found;
}

function readHeader(bytes: Uint8Array, offset: number, end: number): { contentStart: number; contentEnd: number } | undefined {
  const first = bytes[offset + 1]!;
  if (first < 0x80) return bounded(offset + 2, first, end);
  const count = first & 0x7f;
  if (count === 0 || count > 3 || offset + 2 + count > end) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i]!;
  return bounded(offset + 2 + count, length, end);
}

function bounded(contentStart: number, length: number, end: number): { contentStart: number; contentEnd: number } | undefined {
  return contentStart + length <= end ? { contentStart, contentEnd: contentStart + length } : undefined;
}
