import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir } from '../support/cli.js';
import { basicConstraintsExtension, buildCsr, cnName, freshKey, gn, testKey } from '../support/csr-factory.js';
import { httpCall, pollUntilDecided, readRoot, type HttpResult } from '../support/serve-process.js';
import { smallFactorKey } from '../support/weak-rsa-keys.js';

/**
 * Every bad input gets the SMSGate error envelope {"error":{"message","code"}} with the right status.
 * The server runs in-process with the default allowed ranges (10/8, 172.16/12, 192.168/16), so a
 * loopback IP in a CSR is a policy refusal like any other. Traffic stays on 127.0.0.1.
 */
let work: { dir: string; cleanup: () => Promise<void> };
let server: RunningCaServer;
let rootPem: string;

beforeAll(async () => {
  work = await makeTempDir();
  const config = buildServeConfig({ 'data-dir': join(work.dir, 'data'), listen: '127.0.0.1:0', 'rate-limit': '0', 'log-level': 'silent' });
  server = await startServer(config, { logger: silentLogger(), version: 'test' });
  rootPem = await readRoot(config.dataDir);
});

afterAll(async () => {
  await server?.close();
  await work.cleanup();
});

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  readonly contentType?: string | null;
  /** A JSON value (serialized), or raw text/bytes with `raw`. */
  readonly json?: () => unknown;
  readonly raw?: () => string | Buffer;
  /** Extra request headers (Content-Encoding…). */
  readonly headers?: Record<string, string>;
  /** Send without Content-Length (Transfer-Encoding: chunked). */
  readonly chunked?: boolean;
  readonly status: number;
  readonly message: RegExp;
}

const good = () => buildCsr().pem;
const withContent = (content: string) => () => ({ content });
/** `depth` arrays inside each other, as JSON text. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const CASES: readonly Case[] = [
  // Transport and JSON
  { name: 'malformed JSON', raw: () => '{"content": "-----BEGIN', status: 400, message: /not valid JSON/ },
  { name: 'trailing comma JSON', raw: () => '{"content": "x",}', status: 400, message: /not valid JSON/ },
  { name: 'empty body', raw: () => '', status: 400, message: /empty/ },
  { name: 'JSON array body', json: () => [good()], status: 400, message: /JSON object/ },
  { name: 'JSON string body', json: () => good(), status: 400, message: /JSON object/ },
  { name: 'text/plain content type', contentType: 'text/plain', json: withContent('x'), status: 415, message: /application\/json/ },
  { name: 'form-urlencoded', contentType: 'application/x-www-form-urlencoded', raw: () => 'content=abc', status: 415, message: /application\/json/ },
  { name: 'no content type', contentType: null, json: withContent('x'), status: 415, message: /\(none\)/ },
  { name: 'latin1 charset', contentType: 'application/json; charset=iso-8859-1', json: withContent('x'), status: 415, message: /utf-8/ },
  { name: 'invalid UTF-8', raw: () => Buffer.from([0x7b, 0x22, 0x63, 0xff, 0x22, 0x3a, 0x31, 0x7d]), status: 400, message: /UTF-8/ },
  { name: 'body over 64 KiB', json: () => ({ content: good(), padding: 'x'.repeat(70_000) }), status: 413, message: /larger than 65536 bytes/ },
  { name: 'body over 64 KiB sent chunked', chunked: true, json: () => ({ content: good(), padding: 'x'.repeat(70_000) }), status: 413, message: /larger than 65536 bytes/ },
  { name: 'body of 1 MiB sent chunked', chunked: true, raw: () => `{"padding":"${'x'.repeat(1 << 20)}"}`, status: 413, message: /larger than 65536 bytes/ },
  { name: 'JSON nested 10,000 deep (20 KB)', raw: () => `{"content":"x","metadata":${nested(10_000)}}`, status: 400, message: /nests JSON deeper than 32 levels/ },
  { name: 'JSON nested 33 deep, chunked', chunked: true, raw: () => `{"content":${JSON.stringify(good())},"extra":${nested(32)}}`, status: 400, message: /deeper than 32/ },
  { name: 'gzip-compressed body', headers: { 'Content-Encoding': 'gzip' }, raw: () => gzipSync(JSON.stringify({ content: good() })), status: 415, message: /Content-Encoding "gzip" is not accepted/ },
  { name: 'gzip bomb (10 MB inflated, 10 KB sent)', headers: { 'Content-Encoding': 'gzip' }, raw: () => gzipSync(`{"content":"${'A'.repeat(10_000_000)}"}`), status: 415, message: /not accepted/ },
  { name: 'deflate-compressed body', headers: { 'Content-Encoding': 'deflate' }, raw: () => deflateSync(JSON.stringify({ content: good() })), status: 415, message: /"deflate"/ },
  { name: 'brotli-compressed body, chunked', chunked: true, headers: { 'Content-Encoding': 'br' }, raw: () => brotliCompressSync(JSON.stringify({ content: good() })), status: 415, message: /"br"/ },
  // Fields
  { name: 'missing content', json: () => ({ type: 'webhook' }), status: 400, message: /content is required/ },
  { name: 'content of the wrong type', json: () => ({ content: 12345 }), status: 400, message: /content must be a string/ },
  { name: 'content over 16384 characters', json: () => ({ content: `${good()}${' '.repeat(16_400)}` }), status: 413, message: /16384/ },
  { name: 'unknown type', json: () => ({ content: good(), type: 'server' }), status: 400, message: /type must be "webhook" or "private_server"/ },
  { name: 'type of the wrong type', json: () => ({ content: good(), type: ['webhook'] }), status: 400, message: /type must be/ },
  { name: 'metadata as a string', json: () => ({ content: good(), metadata: 'a=b' }), status: 400, message: /metadata must be an object/ },
  { name: 'huge metadata (1000 entries)', json: () => ({ content: good(), metadata: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v'])) }), status: 400, message: /1000 entries; at most 16/ },
  { name: 'metadata value over 256', json: () => ({ content: good(), metadata: { note: 'n'.repeat(257) } }), status: 400, message: /metadata.note is 257 characters/ },
  { name: 'metadata key over 64', json: () => ({ content: good(), metadata: { ['k'.repeat(65)]: 'v' } }), status: 400, message: /keys must be 1 to 64/ },
  { name: 'metadata number value', json: () => ({ content: good(), metadata: { n: 1 } }), status: 400, message: /metadata.n must be a string/ },
  { name: '__proto__ key at the top', raw: () => `{"content":${JSON.stringify(good())},"__proto__":{"isAdmin":true}}`, status: 400, message: /forbidden key "__proto__"/ },
  { name: '__proto__ key in metadata', raw: () => `{"content":${JSON.stringify(good())},"metadata":{"__proto__":"x"}}`, status: 400, message: /forbidden key "__proto__"/ },
  // CSR content (policy refusals name the field or IP and why)
  { name: 'content that is not PEM', json: withContent('hello, please sign me'), status: 400, message: /pem_invalid/ },
  { name: 'two PEM blocks', json: () => ({ content: good() + good() }), status: 400, message: /pem_invalid.*2 PEM blocks/ },
  { name: 'a certificate instead of a CSR', json: () => ({ content: rootPem }), status: 400, message: /pem_invalid.*"CERTIFICATE"/ },
  { name: 'public IP 8.8.8.8', json: () => ({ content: buildCsr({ ips: ['8.8.8.8'] }).pem }), status: 400, message: /identifier_not_allowed.*8\.8\.8\.8 is in public address space/ },
  { name: 'loopback IP (not in the allowed ranges)', json: () => ({ content: buildCsr({ ips: ['127.0.0.1'] }).pem }), status: 400, message: /identifier_not_allowed.*127\.0\.0\.1 is in loopback/ },
  { name: 'CGNAT IP', json: () => ({ content: buildCsr({ ips: ['100.64.0.1'] }).pem }), status: 400, message: /100\.64\.0\.1.*CGNAT/ },
  { name: 'two IPs', json: () => ({ content: buildCsr({ ips: ['192.168.1.10', '192.168.1.11'] }).pem }), status: 400, message: /identifier_too_many/ },
  { name: 'CN differs from the IP', json: () => ({ content: buildCsr({ subject: cnName('192.168.1.11') }).pem }), status: 400, message: /common_name_mismatch.*192\.168\.1\.11/ },
  { name: 'DNS name SAN', json: () => ({ content: buildCsr({ san: [gn.ip('192.168.1.10'), gn.dns('printer.example.com')] }).pem }), status: 400, message: /identifier_unsupported.*printer\.example\.com/ },
  { name: 'IPv6 SAN', json: () => ({ content: buildCsr({ san: [gn.ip('2001:db8::7')] }).pem }), status: 400, message: /identifier_unsupported.*2001:db8::7/ },
  { name: 'no SAN and a CN that is not an IP', json: () => ({ content: buildCsr({ san: null, subject: cnName('router.lan') }).pem }), status: 400, message: /identifier_missing/ },
  { name: 'CA:TRUE requested', json: () => ({ content: buildCsr({ extensions: [basicConstraintsExtension(true)] }).pem }), status: 400, message: /ca_requested/ },
  { name: 'RSA 1024 key', json: () => ({ content: buildCsr({ key: testKey('rsa1024') }).pem }), status: 400, message: /key_weak.*1024 bits/ },
  { name: 'RSA 2048 key whose modulus 3 divides (correctly signed)', json: () => ({ content: buildCsr({ key: smallFactorKey(3n) }).pem }), status: 400, message: /^CSR refused \(key_weak\): the RSA modulus has a small factor 3,/ },
  { name: 'signed by another key', json: () => ({ content: buildCsr({ signer: freshKey('p256').privateKey }).pem }), status: 400, message: /signature_invalid/ },
  // Ids and routes
  { name: 'path traversal in the id', method: 'GET', path: '/api/v1/csr/..%2F..%2F..%2Fetc%2Fpasswd', status: 400, message: /invalid request ID/ },
  { name: 'SQL in the id', method: 'GET', path: "/api/v1/csr/REQ_'%20OR%201=1--", status: 400, message: /invalid request ID/ },
  { name: 'the documentation placeholder id', method: 'GET', path: '/api/v1/csr/REQ_12345', status: 400, message: /invalid request ID/ },
  { name: 'a 2000-character id', method: 'GET', path: `/api/v1/csr/${'A'.repeat(2000)}`, status: 400, message: /invalid request ID/ },
  { name: 'unknown well-formed id', method: 'GET', path: `/api/v1/csr/REQ_${'A'.repeat(26)}`, status: 404, message: /not found/ },
  { name: 'malformed percent-encoding', method: 'GET', path: '/api/v1/csr/%E0%A4%A', status: 400, message: /./ },
  { name: 'nested path below an id', method: 'GET', path: `/api/v1/csr/REQ_${'A'.repeat(26)}/certificate`, status: 404, message: /no route/ },
  { name: 'unknown API route', method: 'GET', path: '/api/v1/certificates', status: 404, message: /no route/ },
  { name: 'PUT on the collection', method: 'PUT', path: '/api/v1/csr', json: withContent('x'), status: 405, message: /./ },
  { name: 'DELETE on a request', method: 'DELETE', path: `/api/v1/csr/REQ_${'A'.repeat(26)}`, status: 405, message: /./ },
];

async function send(testCase: Case): Promise<HttpResult> {
  const body = testCase.raw ? testCase.raw() : testCase.json ? JSON.stringify(testCase.json()) : undefined;
  const contentType = testCase.contentType === undefined ? 'application/json' : testCase.contentType;
  return httpCall(`${server.url}${testCase.path ?? '/api/v1/csr'}`, {
    method: testCase.method ?? 'POST',
    ...(body !== undefined ? { body } : {}),
    headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...testCase.headers },
    caPem: rootPem,
    chunked: testCase.chunked ?? false,
  });
}

describe('bad inputs to the REST API', () => {
  it('the table has at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const result = await send(testCase);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    const envelope = result.json<{ error: { message: string; code: number } }>();
    expect(Object.keys(envelope)).toEqual(['error']);
    expect(Object.keys(envelope.error).sort()).toEqual(['code', 'message']);
    expect({ status: result.status, code: envelope.error.code }).toEqual({ status: testCase.status, code: testCase.status });
    expect(envelope.error.message).toMatch(testCase.message);
    // Never internals: no stack traces or file paths.
    expect(envelope.error.message).not.toMatch(/\bat .+\.(ts|js):\d+|\/work\/|node_modules/);
  });

  it('a good request still goes through afterwards', async () => {
    const result = await httpCall(`${server.url}/api/v1/csr`, {
      method: 'POST',
      body: JSON.stringify({ content: buildCsr({ ips: ['10.20.30.40'] }).pem }),
      headers: { 'Content-Type': 'application/json' },
      caPem: rootPem,
    });
    expect(result.status).toBe(202);
    const decided = await pollUntilDecided(server.url, result.json<{ request_id: string }>().request_id, rootPem);
    expect(decided.json()).toMatchObject({ status: 'approved' });
  });
});
