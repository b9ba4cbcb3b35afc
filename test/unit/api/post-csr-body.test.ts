import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/http/http-error.js';
import { parsePostCsrBody } from '../../../src/api/post-csr-body.js';

const PEM = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';

function refusal(body: unknown): HttpError {
  try {
    parsePostCsrBody(body);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parsePostCsrBody', () => {
  it('defaults type to webhook and metadata to empty; ignores unknown fields like the Go server', () => {
    expect(parsePostCsrBody({ content: PEM, extra: 1 })).toEqual({ type: 'webhook', content: PEM, metadata: {} });
    expect(parsePostCsrBody({ content: PEM, type: null, metadata: null })).toMatchObject({ type: 'webhook' });
  });

  it('keeps type and metadata', () => {
    const body = parsePostCsrBody({ content: PEM, type: 'private_server', metadata: { device: 'pixel', note: '' } });
    expect(body.type).toBe('private_server');
    expect({ ...body.metadata }).toEqual({ device: 'pixel', note: '' });
    expect(Object.getPrototypeOf(body.metadata)).toBeNull();
  });

  it.each<[string, unknown, number, RegExp]>([
    ['an array body', [PEM], 400, /JSON object/],
    ['a string body', PEM, 400, /JSON object/],
    ['null body', null, 400, /JSON object/],
    ['missing content', {}, 400, /content is required/],
    ['numeric content', { content: 42 }, 400, /content must be a string/],
    ['blank content', { content: '  \n' }, 400, /content is empty/],
    ['oversize content', { content: 'A'.repeat(16385) }, 413, /16385 characters.*16384/],
    ['unknown type', { content: PEM, type: 'server' }, 400, /type must be/],
    ['numeric type', { content: PEM, type: 1 }, 400, /type must be/],
    ['empty type', { content: PEM, type: '' }, 400, /type must be/],
    ['array metadata', { content: PEM, metadata: ['a'] }, 400, /metadata must be an object/],
    ['string metadata', { content: PEM, metadata: 'a=b' }, 400, /metadata must be an object/],
    ['17 metadata entries', { content: PEM, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 400, /17 entries/],
    ['a 65-character key', { content: PEM, metadata: { ['k'.repeat(65)]: 'v' } }, 400, /keys must be 1 to 64/],
    ['an empty key', { content: PEM, metadata: { '': 'v' } }, 400, /keys must be 1 to 64/],
    ['a control character in a key', { content: PEM, metadata: { 'a\nb': 'v' } }, 400, /control characters/],
    ['a 257-character value', { content: PEM, metadata: { k: 'v'.repeat(257) } }, 400, /257 characters/],
    ['a non-string value', { content: PEM, metadata: { k: 1 } }, 400, /metadata.k must be a string/],
    ['a nested object value', { content: PEM, metadata: { k: { a: 'b' } } }, 400, /metadata.k must be a string/],
    ['__proto__ at the top', JSON.parse(`{"content":${JSON.stringify(PEM)},"__proto__":{"admin":true}}`), 400, /forbidden key "__proto__"/],
    ['__proto__ in metadata', JSON.parse(`{"content":${JSON.stringify(PEM)},"metadata":{"__proto__":"x"}}`), 400, /forbidden key "__proto__"/],
    ['constructor in metadata', { content: PEM, metadata: { constructor: 'x' } }, 400, /forbidden key "constructor"/],
  ])('refuses %s', (_name, body, status, message) => {
    const error = refusal(body);
    expect(error.status).toBe(status);
    expect(error.message).toMatch(message);
  });

  it('accepts the limits exactly', () => {
    const metadata = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`${'k'.repeat(62)}${String(i).padStart(2, '0')}`, 'v'.repeat(256)]));
    expect(Object.keys(parsePostCsrBody({ content: 'A'.repeat(16384), metadata }).metadata)).toHaveLength(16);
  });
});
