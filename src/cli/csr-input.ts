import { Buffer } from 'node:buffer';
import { open } from 'node:fs/promises';
import { MAX_CSR_PEM_LENGTH } from '../ca/index.js';
import { UsageError } from './command.js';

/** A PEM CSR is ASCII: no more bytes than the intake accepts characters. */
const MAX_BYTES = MAX_CSR_PEM_LENGTH;

/**
 * The CSR text of a file, or of stdin for "-", read no further than a CSR may be long: an oversize
 * input is refused without being read whole. File errors become one line naming the file.
 */
export async function readCsrInput(path: string, stdin: AsyncIterable<Buffer | string> = process.stdin): Promise<string> {
  const what = path === '-' ? 'standard input' : path;
  let bytes: Buffer;
  try {
    bytes = path === '-' ? await readStream(stdin) : await readFilePrefix(path);
  } catch (error) {
    throw new UsageError(`cannot read the CSR from ${what}: ${describeFileError(error)}`);
  }
  if (bytes.length > MAX_BYTES) throw new UsageError(`${what} holds more than ${MAX_BYTES} bytes; a PEM CSR is at most ${MAX_CSR_PEM_LENGTH} characters`);
  if (looksLikeDer(bytes)) throw new UsageError(`${what} looks like a DER (binary) CSR; convert it to PEM first: openssl req -inform DER -in FILE -out FILE.pem`);
  return bytes.toString('utf8');
}

/** A SEQUENCE with a long-form length, as a DER CSR starts: no text file does ("0" then a byte ≥ 0x80). */
function looksLikeDer(bytes: Buffer): boolean {
  return bytes[0] === 0x30 && (bytes[1] ?? 0) >= 0x81 && (bytes[1] ?? 0) <= 0x84;
}

/** At most MAX_BYTES + 1 bytes: enough to tell an oversize file. */
async function readFilePrefix(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_BYTES + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0 || (filled += bytesRead) === buffer.length) return buffer.subarray(0, filled);
    }
  } finally {
    await handle.close();
  }
}

async function readStream(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(bytes);
    if ((total += bytes.length) > MAX_BYTES) break;
  }
  return Buffer.concat(chunks);
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}
