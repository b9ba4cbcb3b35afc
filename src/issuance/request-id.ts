import { randomBytes } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const REQUEST_ID = /^REQ_[A-Z2-7]{26}$/;

/** An opaque, unguessable request id: "REQ_" + 16 random bytes in base32 (26 characters). */
export function newRequestId(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = random(16);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return `REQ_${out}`;
}

/** True for exactly the shape newRequestId produces; everything else is refused before any lookup. */
export function isRequestId(text: string): boolean {
  return REQUEST_ID.test(text);
}
