import { CaError, isCaError } from './errors.js';
import { decodePemBlocks, type PemBlock } from './pem.js';

/**
 * The DER of every CERTIFICATE block in an operator-supplied bundle, in order. Text between
 * blocks (openssl's "subject=" lines) is tolerated; any other PEM label is refused.
 */
export function readPemCertificates(text: string, what: string): Uint8Array[] {
  const blocks = decodeBundle(text, what);
  const foreign = blocks.find((block) => block.label !== 'CERTIFICATE');
  if (foreign) {
    throw new CaError('ca_material_invalid', `${what} holds a "${foreign.label}" PEM block where only certificates are expected`);
  }
  return blocks.map((block) => block.der);
}

function decodeBundle(text: string, what: string): PemBlock[] {
  try {
    return decodePemBlocks(text, { outsideBlocks: 'any' });
  } catch (error) {
    if (!isCaError(error)) throw error;
    throw new CaError('ca_material_invalid', `${what} has a malformed PEM block: ${error.message}`, error.value);
  }
}
