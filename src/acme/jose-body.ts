import type { Context } from 'koa';
import { isHttpError } from '../http/http-error.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../http/json-depth.js';
import { readRequestBody } from '../http/request-body.js';
import { AcmeProblem, malformed } from './problems.js';

/**
 * Reads an ACME POST body: Content-Type application/jose+json (RFC 8555 §6.2, else 415), not
 * compressed (else 415), at most `maxBytes` whatever the framing (else 413), UTF-8 JSON nested no
 * deeper than MAX_JSON_DEPTH (else malformed).
 */
export async function readJoseBody(ctx: Context, maxBytes: number): Promise<unknown> {
  const type = ctx.get('content-type').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/jose+json') {
    throw new AcmeProblem('malformed', `Content-Type must be application/jose+json, not "${ctx.get('content-type').slice(0, 100)}"`, { status: 415 });
  }
  let body: Buffer;
  try {
    body = await readRequestBody(ctx, maxBytes);
  } catch (error) {
    if (!isHttpError(error)) throw error;
    throw new AcmeProblem('malformed', error.message, { status: error.status, headers: error.headers });
  }
  return parseBoundedJson(body, 'the request body');
}

/** UTF-8 JSON, refused as malformed when it is not, or when it nests deeper than MAX_JSON_DEPTH. */
export function parseBoundedJson(bytes: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed(`${what} is not UTF-8 JSON`);
  }
  if (nestsDeeperThan(text)) throw malformed(`${what} nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed(`${what} is not UTF-8 JSON`);
  }
}
