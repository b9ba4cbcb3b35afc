import type { Context } from 'koa';
import { HttpError } from './http-error.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import { readRequestBody } from './request-body.js';

/**
 * Reads a JSON request body with a hard size limit. 415 unless Content-Type is application/json
 * (charset utf-8 or none) and the body is not compressed, 413 over the limit whatever the framing,
 * 400 for invalid UTF-8, malformed JSON, or JSON nested deeper than MAX_JSON_DEPTH.
 */
export async function readJsonBody(ctx: Context, maxBytes: number): Promise<unknown> {
  checkContentType(ctx.get('content-type'));
  const raw = await readRequestBody(ctx, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  if (text.trim() === '') throw new HttpError(400, 'request body is empty; expected a JSON object');
  if (nestsDeeperThan(text)) throw new HttpError(400, `request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
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
