import { Router } from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/http/create-app.js';
import { healthRouter } from '../../../src/http/health-routes.js';
import { HttpError } from '../../../src/http/http-error.js';
import { readJsonBody } from '../../../src/http/json-body.js';
import { listen, type RunningServer } from '../../../src/http/listen.js';
import { metricsRouter } from '../../../src/http/metrics-route.js';
import type { RequestState } from '../../../src/http/request-context.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { httpCall } from '../../support/serve-process.js';

let server: RunningServer;
let base: string;
let ready = true;
const metrics = createMetrics({ processMetrics: false });

beforeAll(async () => {
  const app = createHttpApp({ logger: silentLogger(), metrics });
  const router = new Router<RequestState>();
  router.post('/echo', async (ctx) => {
    ctx.body = { got: await readJsonBody(ctx, 100) };
  });
  router.get('/teapot', () => {
    throw new HttpError(418, 'short and stout', { 'Retry-After': '7' });
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

  it('hides internals of unexpected errors behind a 500', async () => {
    const result = await httpCall(`${base}/crash`);
    expect(result.status).toBe(500);
    expect(result.json()).toEqual({ error: { message: 'internal server error', code: 500 } });
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
