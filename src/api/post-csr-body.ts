import { isCertificateType, type CertificateType } from '../ca/index.js';
import { HttpError } from '../http/http-error.js';

/** Limits of ca.PostCSRRequest. */
export const POST_CSR_LIMITS = {
  contentLength: 16384,
  metadataEntries: 16,
  metadataKeyLength: 64,
  metadataValueLength: 256,
  /** Whole body: the largest valid request, JSON-escaped, fits well inside. */
  bodyBytes: 64 * 1024,
} as const;

export interface PostCsrBody {
  readonly type: CertificateType;
  readonly content: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Keys that would alter an object's prototype if ever copied by assignment; refused outright. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Validates a parsed JSON body field by field; unknown fields are ignored, as the Go server does. */
export function parsePostCsrBody(body: unknown): PostCsrBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'request body must be a JSON object with a "content" field');
  }
  rejectForbiddenKeys(body, 'body');
  const fields = body as Record<string, unknown>;
  return { type: parseType(fields['type']), content: parseContent(fields['content']), metadata: parseMetadata(fields['metadata']) };
}

function parseType(value: unknown): CertificateType {
  if (value === undefined || value === null) return 'webhook';
  if (!isCertificateType(value)) {
    throw new HttpError(400, `type must be "webhook" or "private_server", got ${describe(value)}`);
  }
  return value;
}

function parseContent(value: unknown): string {
  if (value === undefined || value === null) throw new HttpError(400, 'content is required: a PEM certificate signing request');
  if (typeof value !== 'string') throw new HttpError(400, `content must be a string holding a PEM CSR, got ${describe(value)}`);
  if (value.trim() === '') throw new HttpError(400, 'content is empty; expected a PEM certificate signing request');
  if (value.length > POST_CSR_LIMITS.contentLength) {
    throw new HttpError(413, `content is ${value.length} characters long; the limit is ${POST_CSR_LIMITS.contentLength}`);
  }
  return value;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, `metadata must be an object of strings, got ${describe(value)}`);
  const entries = Object.entries(value);
  if (entries.length > POST_CSR_LIMITS.metadataEntries) {
    throw new HttpError(400, `metadata has ${entries.length} entries; at most ${POST_CSR_LIMITS.metadataEntries} are allowed`);
  }
  const metadata = Object.create(null) as Record<string, string>;
  for (const [key, entry] of entries) {
    checkMetadataKey(key);
    if (typeof entry !== 'string') throw new HttpError(400, `metadata.${key} must be a string, got ${describe(entry)}`);
    if (entry.length > POST_CSR_LIMITS.metadataValueLength) {
      throw new HttpError(400, `metadata.${key} is ${entry.length} characters long; the limit is ${POST_CSR_LIMITS.metadataValueLength}`);
    }
    metadata[key] = entry;
  }
  return metadata;
}

function checkMetadataKey(key: string): void {
  if (key.length === 0 || key.length > POST_CSR_LIMITS.metadataKeyLength) {
    throw new HttpError(400, `metadata keys must be 1 to ${POST_CSR_LIMITS.metadataKeyLength} characters long`);
  }
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new HttpError(400, 'metadata keys must not contain control characters');
}

function rejectForbiddenKeys(value: unknown, path: string): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw new HttpError(400, `${path} has a forbidden key "${key}"`);
    rejectForbiddenKeys(child, `${path}.${key}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 37)}..."` : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
