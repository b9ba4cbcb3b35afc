import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Router } from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/http/create-app.js';
import { healthRouter } from '../../../src/http/health-routes.js';
import { HttpError } from '../../../src/http/http-error.js';
import { readJsonBody } from '../../../src/http/json-body.js';
import { listen, type RunningServer } from '../../../src/http/listen.js';
import { metricsRouter } from '../../../src/http/metrics-route.js';
import type { RequestState } from '../../../src/http/request-context.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { httpCall } from '../../support/serve-process.js';

let server: RunningServer;
let base: string;
let ready = true;
const logLines: Array<Record<string, unknown>> = [];

/** Writes raw bytes to the server and returns all it answers before closing. */
function rawExchange(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.address.port, '127.0.0.1', () => socket.write(raw));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
const metrics = createMetrics({ processMetrics: false });

beforeAll(async () => {
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) } });
  const app = createHttpApp({ logger, metrics });
  const router = new Router<RequestState>();
  router.post('/echo', async (ctx) => {
    ctx.body = { got: await readJsonBody(ctx, 100) };
  });
  router.get('/teapot', () => {
    throw new HttpError(418, 'short and stout', { 'Retry-After': '7' });
  });
  router.get('/unavailable', () => {
    throw new HttpError(503, 'try later');
  });
  router.get('/crash', () => {
    throw new Error('secret internal detail /var/lib/key');
  });
  for (const r of [router, healthRouter([{ name: 'flag', check: () => { if (!ready) throw new Error('flag down'); } }]), metricsRouter(metrics.registry)]) {
    app.use(r.routes());
    app.use(r.allowedMethods({ throw: true }));
  }
  server = await listen(app.callback(), { host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.address.port}`;
});

afterAll(() => server.close());

const post = (body: string, contentType = 'application/json') =>
  httpCall(`${base}/echo`, { method: 'POST', body, headers: contentType ? { 'Content-Type': contentType } : {} });

describe('the shared Koa app', () => {
  it('reads a JSON body', async () => {
    const result = await post('{"a":1}', 'application/json; charset=utf-8');
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({ got: { a: 1 } });
  });

  it.each<[string, string, string, number, RegExp]>([
    ['malformed JSON', '{"a":', 'application/json', 400, /not valid JSON/],
    ['an empty body', '', 'application/json', 400, /empty/],
    ['text/plain', '{}', 'text/plain', 415, /Content-Type must be application\/json/],
    ['no content type', '{}', '', 415, /\(none\)/],
    ['another charset', '{}', 'application/json; charset=latin1', 415, /utf-8/],
    ['a body over the limit', JSON.stringify({ a: 'x'.repeat(200) }), 'application/json', 413, /larger than 100 bytes/],
  ])('answers %s with the envelope', async (_name, body, type, status, message) => {
    const result = await post(body, type);
    expect(result.status).toBe(status);
    expect(result.headers['content-type']).toMatch(/application\/json/);
    const envelope = result.json<{ error: { message: string; code: number } }>();
    expect(envelope.error.code).toBe(status);
    expect(envelope.error.message).toMatch(message);
  });

  it.each<[string, Record<string, string>, string | Buffer, boolean, number, RegExp]>([
    ['a chunked body over the limit', {}, JSON.stringify({ a: 'x'.repeat(5000) }), true, 413, /larger than 100 bytes/],
    ['JSON nested 40 deep', {}, `${'['.repeat(40)}${']'.repeat(40)}`, false, 400, /nests JSON deeper than 32 levels/],
    ['a gzip body', { 'Content-Encoding': 'gzip' }, gzipSync('{"a":1}'), false, 415, /Content-Encoding "gzip" is not accepted/],
    ['an identity-encoded body', { 'Content-Encoding': 'identity' }, '{"a":1}', false, 200, /./],
  ])('answers %s with the envelope', async (_name, headers, body, chunked, status, message) => {
    const result = await httpCall(`${base}/echo`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers }, chunked });
    expect(result.status).toBe(status);
    if (status === 200) return expect(result.json()).toEqual({ got: { a: 1 } });
    expect(result.json()).toEqual({ error: { message: expect.stringMatching(message), code: status } });
    if (status === 415) expect(result.headers['accept-encoding']).toBe('identity');
  });

  it.each([
    ['not HTTP at all', 'HELLO\r\n\r\n', 400, /not valid HTTP/],
    ['a header line over 16 KiB', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, /headers are too large/],
  ])('answers a request that is %s with the envelope, before any route', async (_name, raw, status, message) => {
    const reply = await rawExchange(raw);
    const [head, body] = reply.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(body!)).toEqual({ error: { message: expect.stringMatching(message), code: status } });
  });

  it('refuses invalid UTF-8', async () => {
    const result = await httpCall(`${base}/echo`, { method: 'POST', body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), headers: { 'Content-Type': 'application/json' } });
    expect(result.status).toBe(400);
    expect(result.json<{ error: { message: string } }>().error.message).toMatch(/UTF-8/);
  });

  it('passes HttpError status, message and headers through', async () => {
    const result = await httpCall(`${base}/teapot`);
    expect(result.status).toBe(418);
    expect(result.headers['retry-after']).toBe('7');
    expect(result.json()).toEqual({ error: { message: 'short and stout', code: 418 } });
  });

  it('hides internals of unexpected errors behind a 500, and logs it with the request id', async () => {
    logLines.length = 0;
    const result = await httpCall(`${base}/crash`, { headers: { 'X-Request-Id': 'crash-1' } });
    expect(result.status).toBe(500);
    expect(result.json()).toEqual({ error: { message: 'internal server error', code: 500 } });
    const lines = logLines.filter((line) => line['reqId'] === 'crash-1');
    expect(lines.map((line) => [line['level'], line['msg']])).toEqual([
      ['error', 'unhandled error'],
      ['error', 'request'],
    ]);
    expect(lines[0]!['err']).toMatchObject({ message: 'secret internal detail /var/lib/key' });
  });

  it('logs a 5xx it answers on purpose as an error line too, with the request id', async () => {
    logLines.length = 0;
    await httpCall(`${base}/unavailable`, { headers: { 'X-Request-Id': 'busy-1' } });
    expect(logLines.filter((line) => line['reqId'] === 'busy-1').map((line) => [line['level'], line['status']])).toEqual([['error', 503]]);
  });

  it('answers unknown routes 404 and wrong methods 405, both in the envelope', async () => {
    const missing = await httpCall(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json<{ error: { code: number } }>().error.code).toBe(404);
    const wrongMethod = await httpCall(`${base}/teapot`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json<{ error: { code: number } }>().error.code).toBe(405);
  });

  it('gives every response a request id, keeping a safe incoming one', async () => {
    const generated = await httpCall(`${base}/healthz`);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f]{16}$/);
    const kept = await httpCall(`${base}/healthz`, { headers: { 'X-Request-Id': 'trace-42' } });
    expect(kept.headers['x-request-id']).toBe('trace-42');
    const replaced = await httpCall(`${base}/healthz`, { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(replaced.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  it('/healthz is always ok; /readyz follows the checks', async () => {
    expect((await httpCall(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await httpCall(`${base}/readyz`)).status).toBe(200);
    ready = false;
    const notReady = await httpCall(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.json()).toEqual({ status: 'not ready', checks: { flag: 'flag down' } });
    ready = true;
  });

  it('/metrics counts requests by route template and status', async () => {
    await httpCall(`${base}/teapot`);
    const text = (await httpCall(`${base}/metrics`)).text;
    expect(text).toMatch(/smsgate_ca_http_requests_total\{method="GET",route="\/teapot",status="418"\} [1-9]/);
    expect(text).toMatch(/smsgate_ca_http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/);
  });
});
