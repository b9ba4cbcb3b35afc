import type { Context } from 'koa';
import { HttpError } from './http-error.js';

/**
 * Reads a JSON request body with a hard size limit. 415 unless Content-Type is application/json
 * (charset utf-8 or none), 413 over the limit (checked on Content-Length before reading, and while
 * reading), 400 for invalid UTF-8 or malformed JSON.
 */
export async function readJsonBody(ctx: Context, maxBytes: number): Promise<unknown> {
  checkContentType(ctx.get('content-type'));
  const declared = ctx.get('content-length');
  if (declared !== '' && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const raw = await readLimited(ctx.req, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  if (text.trim() === '') throw new HttpError(400, 'request body is empty; expected a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

function checkContentType(header: string): void {
  const [type, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') {
    throw new HttpError(415, `Content-Type must be application/json, got "${header || '(none)'}"`);
  }
  const charset = parameters.find((parameter) => parameter.startsWith('charset='));
  if (charset && !/^charset="?utf-8"?$/.test(charset)) {
    throw new HttpError(415, `only the utf-8 charset is accepted, got "${charset.slice(8)}"`);
  }
}

async function readLimited(stream: AsyncIterable<unknown>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `request body is larger than ${maxBytes} bytes`);
}
