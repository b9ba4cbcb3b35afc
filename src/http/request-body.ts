import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { HttpError } from './http-error.js';

/**
 * Reads a request body of at most `maxBytes`, whatever its framing. Throws HttpError:
 * - 415 for any Content-Encoding but identity: compressed bodies are refused, never inflated, so a
 *   small compressed body can never expand past the limit (RFC 9110 §8.4.1; Accept-Encoding says so);
 * - 413 when Content-Length says too much (before reading), or when a chunked body runs past the
 *   limit (while reading). The 413 is answered at once; the rest of the body is read and dropped,
 *   never destroyed, so the client still receives the answer (destroying the request resets the
 *   connection under it). The server's request timeout bounds how long a client can keep sending;
 * - 400 when the client goes away before the end of the body.
 */
export async function readRequestBody(ctx: Context, maxBytes: number): Promise<Buffer> {
  checkContentEncoding(ctx.get('content-encoding'));
  const declared = ctx.get('content-length');
  if (declared !== '' && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  return readUpTo(ctx.req, maxBytes);
}

function checkContentEncoding(header: string): void {
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > 0) {
    throw new HttpError(415, `Content-Encoding "${header.slice(0, 40)}" is not accepted; send the body uncompressed`, { 'Accept-Encoding': 'identity' });
  }
}

function readUpTo(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (request.readableEnded) return Promise.reject(new Error('the request body was already read'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = (outcome: () => void): void => {
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total <= maxBytes) return void chunks.push(chunk);
      settle(() => reject(tooLarge(maxBytes)));
      request.resume(); // keep reading, now into nowhere
    };
    const onEnd = (): void => settle(() => resolve(Buffer.concat(chunks, total)));
    const onGone = (): void => settle(() => reject(incomplete()));
    const onClose = (): void => {
      if (!request.complete) onGone();
    };
    request.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onClose);
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `request body is larger than ${maxBytes} bytes`);
}

function incomplete(): HttpError {
  return new HttpError(400, 'the request body ended before it was complete');
}
