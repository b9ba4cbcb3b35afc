import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir } from '../support/cli.js';
import { buildCsr } from '../support/csr-factory.js';
import { freePort } from '../support/acme-serve.js';
import { httpCall, postJson, readRoot, startServeProcess } from '../support/serve-process.js';

let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  work = await makeTempDir();
});

afterAll(() => work.cleanup());

const csr = (ip: string) => ({ content: buildCsr({ ips: [ip] }).pem });

describe('rate limit on POST /api/v1/csr (the built CLI)', () => {
  it('by default, the second POST within a minute gets 429 with Retry-After; GETs are not limited', async () => {
    const dataDir = join(work.dir, 'default');
    const metricsPort = await freePort();
    const server = await startServeProcess(dataDir, ['--metrics-listen', `127.0.0.1:${metricsPort}`]);
    try {
      const rootPem = await readRoot(dataDir);
      const first = await postJson(`${server.url}/api/v1/csr`, csr('192.168.7.1'), rootPem);
      expect(first.status).toBe(202);
      const second = await postJson(`${server.url}/api/v1/csr`, csr('192.168.7.2'), rootPem);
      expect(second.status).toBe(429);
      const retryAfter = Number(second.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(second.json()).toEqual({ error: { message: expect.stringMatching(/too many requests/), code: 429 } });
      // Charged before parsing: a malformed POST is limited too.
      const malformed = await httpCall(`${server.url}/api/v1/csr`, { method: 'POST', body: '{', headers: { 'Content-Type': 'application/json' }, caPem: rootPem });
      expect(malformed.status).toBe(429);
      const poll = await httpCall(`${server.url}/api/v1/csr/${first.json<{ request_id: string }>().request_id}`, { caPem: rootPem });
      expect(poll.status).toBe(200);
      const metrics = await httpCall(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.text).toMatch(/smsgate_ca_rate_limited_requests_total\{route="\/api\/v1\/csr"\} 2/);
    } finally {
      await server.stop();
    }
  });

  it('--rate-limit 0 lifts it', async () => {
    const dataDir = join(work.dir, 'off');
    const server = await startServeProcess(dataDir, ['--rate-limit', '0']);
    try {
      const rootPem = await readRoot(dataDir);
      for (const ip of ['192.168.8.1', '192.168.8.2', '192.168.8.3']) {
        expect((await postJson(`${server.url}/api/v1/csr`, csr(ip), rootPem)).status).toBe(202);
      }
    } finally {
      await server.stop();
    }
  });
});

describe('rate limit per client address behind trusted proxies (in-process)', () => {
  let server: RunningCaServer;
  let rootPem: string;

  beforeAll(async () => {
    const config = buildServeConfig({ 'data-dir': join(work.dir, 'proxied'), listen: '127.0.0.1:0', 'rate-limit': '1/1h', 'trusted-proxies': '127.0.0.1', 'log-level': 'silent' });
    server = await startServer(config, { logger: silentLogger(), version: 'test' });
    rootPem = await readRoot(config.dataDir);
  });

  afterAll(() => server?.close());

  it('clients behind a trusted proxy each have their own budget, keyed by X-Forwarded-For', async () => {
    const post = (ip: string, forwardedFor: string) => postJson(`${server.url}/api/v1/csr`, csr(ip), rootPem, { 'X-Forwarded-For': forwardedFor });
    expect((await post('10.1.0.1', '192.0.2.1')).status).toBe(202);
    expect((await post('10.1.0.2', '192.0.2.2')).status).toBe(202);
    expect((await post('10.1.0.3', '192.0.2.1')).status).toBe(429);
    // A client cannot escape by prepending its own entry: the proxy's appended address counts.
    expect((await post('10.1.0.4', '198.51.100.7, 192.0.2.2')).status).toBe(429);
  });

  it('records the client address as the requester', async () => {
    const result = await postJson(`${server.url}/api/v1/csr`, csr('10.1.0.9'), rootPem, { 'X-Forwarded-For': '203.0.113.50' });
    expect(result.status).toBe(202);
    const record = await server.issuance.findRequest(result.json<{ request_id: string }>().request_id);
    expect(record?.requester).toBe('203.0.113.50');
  });
});

describe('without trusted proxies X-Forwarded-For is ignored (in-process)', () => {
  it('every request from 127.0.0.1 shares one budget', async () => {
    const config = buildServeConfig({ 'data-dir': join(work.dir, 'direct'), listen: '127.0.0.1:0', 'rate-limit': '1/1h', 'log-level': 'silent' });
    const server = await startServer(config, { logger: silentLogger(), version: 'test' });
    try {
      const rootPem = await readRoot(config.dataDir);
      expect((await postJson(`${server.url}/api/v1/csr`, csr('10.2.0.1'), rootPem, { 'X-Forwarded-For': '192.0.2.1' })).status).toBe(202);
      expect((await postJson(`${server.url}/api/v1/csr`, csr('10.2.0.2'), rootPem, { 'X-Forwarded-For': '192.0.2.2' })).status).toBe(429);
    } finally {
      await server.close();
    }
  });
});
