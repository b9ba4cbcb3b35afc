import { CaError } from './errors.js';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;
const ANY_BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/**
 * The DER of every CERTIFICATE block in an operator-supplied bundle, in order. Text between
 * blocks (openssl's "subject=" lines) is tolerated; any other PEM label is refused.
 */
export function readPemCertificates(text: string, what: string): Uint8Array[] {
  for (const match of text.matchAll(ANY_BEGIN)) {
    if (match[1] !== 'CERTIFICATE') {
      throw new CaError('ca_material_invalid', `${what} holds a "${match[1]}" PEM block where only certificates are expected`);
    }
  }
  const blocks = [...text.matchAll(CERTIFICATE_BLOCK)].map((match) => Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64'));
  const begins = [...text.matchAll(ANY_BEGIN)].length;
  if (blocks.length !== begins || blocks.some((der) => der.length === 0)) {
    throw new CaError('ca_material_invalid', `${what} has a malformed CERTIFICATE PEM block`);
  }
  return blocks.map((der) => new Uint8Array(der.buffer, der.byteOffset, der.byteLength));
}
