import { parseBoundedJson } from '../jose-body.js';
import { AcmeProblem, malformed } from '../problems.js';

/** RFC 8555 §6.2: the algorithms an account key may sign with. */
export const ACCOUNT_KEY_ALGORITHMS = ['RS256', 'ES256', 'ES384'] as const;
export type AccountKeyAlgorithm = (typeof ACCOUNT_KEY_ALGORITHMS)[number];

export interface FlattenedJws {
  readonly protected: string;
  readonly payload: string;
  readonly signature: string;
}

/** The protected header members ACME gives meaning to; others are carried along unread. */
export interface ProtectedHeader {
  readonly alg: string;
  readonly url?: unknown;
  readonly nonce?: unknown;
  readonly jwk?: unknown;
  readonly kid?: unknown;
  readonly [member: string]: unknown;
}

export interface ParsedJws {
  readonly jws: FlattenedJws;
  readonly header: ProtectedHeader;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Parses the request body as a flattened JWS JSON serialization (RFC 8555 §6.2): no compact or
 * general form, no unprotected header, a protected header that is a JSON object with an `alg`.
 * Checks that need the request (url, nonce, key) are the caller's.
 */
export function parseFlattenedJws(body: unknown): ParsedJws {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw malformed('the request body must be a flattened JWS JSON object');
  }
  const record = body as Record<string, unknown>;
  if ('signatures' in record) throw malformed('the general JWS JSON serialization is not accepted; use the flattened form');
  if ('header' in record) throw malformed('a JWS unprotected header is not allowed (RFC 8555 §6.2)');
  const { protected: protectedPart, payload, signature } = record;
  for (const [name, value] of [['protected', protectedPart], ['payload', payload], ['signature', signature]] as const) {
    if (typeof value !== 'string' || !BASE64URL.test(value)) throw malformed(`the JWS "${name}" member must be a base64url string`);
  }
  const jws: FlattenedJws = { protected: protectedPart as string, payload: payload as string, signature: signature as string };
  return { jws, header: decodeProtectedHeader(jws.protected) };
}

export function decodeProtectedHeader(encoded: string): ProtectedHeader {
  const header = parseBoundedJson(Buffer.from(encoded, 'base64url'), 'the JWS protected header (base64url-decoded)');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw malformed('the JWS protected header must be a JSON object');
  const alg = (header as Record<string, unknown>)['alg'];
  if (typeof alg !== 'string') throw malformed('the JWS protected header has no "alg"');
  return header as ProtectedHeader;
}

export function checkAlgorithm(alg: string): AccountKeyAlgorithm {
  if ((ACCOUNT_KEY_ALGORITHMS as readonly string[]).includes(alg)) return alg as AccountKeyAlgorithm;
  throw new AcmeProblem('badSignatureAlgorithm', `JWS algorithm "${alg}" is not accepted; use one of ${ACCOUNT_KEY_ALGORITHMS.join(', ')}`, {
    algorithms: [...ACCOUNT_KEY_ALGORITHMS],
  });
}

/** Decodes the JWS payload: "" (POST-as-GET) → undefined, else a JSON object. */
export function decodePayload(payload: string): Record<string, unknown> | undefined {
  if (payload === '') return undefined;
  const value = parseBoundedJson(Buffer.from(payload, 'base64url'), 'the JWS payload (base64url-decoded)');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('the JWS payload must be a JSON object');
  return value as Record<string, unknown>;
}
