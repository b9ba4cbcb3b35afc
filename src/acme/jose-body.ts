import type { Context } from 'koa';
import { AcmeProblem, malformed } from './problems.js';

/**
 * Reads an ACME POST body: Content-Type application/jose+json (RFC 8555 §6.2, else 415), at most
 * `maxBytes` (else 413), valid UTF-8 JSON (else malformed).
 */
export async function readJoseBody(ctx: Context, maxBytes: number): Promise<unknown> {
  const type = ctx.get('content-type').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/jose+json') {
    throw new AcmeProblem('malformed', `Content-Type must be application/jose+json, not "${ctx.get('content-type').slice(0, 100)}"`, { status: 415 });
  }
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed('the request body is not UTF-8 JSON');
  }
}

function tooLarge(maxBytes: number): AcmeProblem {
  return new AcmeProblem('malformed', `the request body is larger than ${maxBytes} bytes`, { status: 413 });
}
