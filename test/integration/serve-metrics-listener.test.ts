import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir } from '../support/cli.js';
import { httpCall, readRoot } from '../support/serve-process.js';

/** --metrics-listen: GET /metrics, and only that, over plain HTTP. The REST/ACME port never serves it, with or without the flag. */
let work: { dir: string; cleanup: () => Promise<void> };
let server: RunningCaServer;
let withoutFlag: RunningCaServer;

beforeAll(async () => {
  work = await makeTempDir();
  const config = buildServeConfig({ 'data-dir': join(work.dir, 'data'), listen: '127.0.0.1:0', 'metrics-listen': '127.0.0.1:0', 'log-level': 'silent' });
  server = await startServer(config, { logger: silentLogger() });
  withoutFlag = await startServer(buildServeConfig({ 'data-dir': join(work.dir, 'default'), listen: '127.0.0.1:0', 'log-level': 'silent' }), { logger: silentLogger() });
});

afterAll(async () => {
  await server?.close();
  await withoutFlag?.close();
  await work?.cleanup();
});

describe('serve --metrics-listen', () => {
  it('serves the Prometheus text format over plain HTTP', async () => {
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await httpCall(server.metricsUrl!);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toMatch(/^# HELP smsgate_ca_/m);
  });

  it('serves nothing else there', async () => {
    const base = server.metricsUrl!.replace(/\/metrics$/, '');
    for (const path of ['/healthz', '/api/v1/ca', '/acme/directory', '/crl']) expect((await httpCall(`${base}${path}`)).status).toBe(404);
  });

  it('the REST/ACME port answers 404 for /metrics, in the JSON error envelope, and still serves the rest', async () => {
    const caPem = await readRoot(join(work.dir, 'data'));
    const metrics = await httpCall(`${server.url}/metrics`, { caPem });
    expect(metrics.status).toBe(404);
    expect(metrics.json()).toEqual({ error: { message: 'no route for GET /metrics', code: 404 } });
    expect((await httpCall(`${server.url}/healthz`, { caPem })).status).toBe(200);
  });
});

describe('serve without --metrics-listen (the default)', () => {
  it('opens no metrics listener, and the REST/ACME port answers 404 for /metrics in the envelope, whatever the method', async () => {
    expect(withoutFlag.metricsUrl).toBeUndefined();
    const caPem = await readRoot(join(work.dir, 'default'));
    for (const method of ['GET', 'HEAD', 'POST']) {
      const metrics = await httpCall(`${withoutFlag.url}/metrics`, { method, caPem });
      expect(metrics.status, method).toBe(404);
      if (method !== 'HEAD') expect(metrics.json()).toEqual({ error: { message: `no route for ${method} /metrics`, code: 404 } });
    }
    expect((await httpCall(`${withoutFlag.url}/metrics/`, { caPem })).status).toBe(404);
    expect((await httpCall(`${withoutFlag.url}/healthz`, { caPem })).status).toBe(200);
  });
});
