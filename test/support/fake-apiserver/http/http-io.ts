import type { IncomingMessage, ServerResponse } from 'node:http';
import { entityTooLarge, statusBody } from '../core/api-errors.js';
import type { ApiError } from '../core/api-errors.js';
import type { JsonValue } from '../core/json-value.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(entityTooLarge(limit));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface JsonResponse {
  readonly status: number;
  readonly body: JsonValue;
  readonly contentType?: string;
  readonly warnings?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

/** `Warning: 299 - "text"` as apiserver warnings are sent. */
function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}

export function sendJson(res: ServerResponse, response: JsonResponse): void {
  const payload = JSON.stringify(response.body);
  res.statusCode = response.status;
  res.setHeader('Content-Type', response.contentType ?? 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  if (response.warnings !== undefined && response.warnings.length > 0) {
    res.setHeader('Warning', response.warnings.map(warningHeader));
  }
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

export function sendStatus(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, { status: error.code, body: statusBody(error) });
}
