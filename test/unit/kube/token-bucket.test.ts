import { createServer, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeHttpClient } from '../../../src/kube/kube-http-client.js';
import { DEFAULT_KUBE_API_BURST, DEFAULT_KUBE_API_QPS, TokenBucket } from '../../../src/kube/token-bucket.js';

/** A clock that only moves when the bucket sleeps, so every wait is exact and nothing depends on real time. */
class FakeTime {
  at = 0;
  readonly sleeps: number[] = [];
  readonly now = () => this.at;
  readonly sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.at += ms;
  };
}

function bucket(time: FakeTime, qps = DEFAULT_KUBE_API_QPS, burst = DEFAULT_KUBE_API_BURST): TokenBucket {
  return new TokenBucket({ qps, burst, now: time.now, sleep: time.sleep });
}

describe('TokenBucket', () => {
  it('has cert-manager\'s defaults: 20 requests per second, bursts of 50', () => {
    expect([DEFAULT_KUBE_API_QPS, DEFAULT_KUBE_API_BURST]).toEqual([20, 50]);
  });

  it('lets a full burst through at once, then one request per 1/qps second', async () => {
    const time = new FakeTime();
    const limiter = bucket(time);
    const waits: number[] = [];
    for (let i = 0; i < 53; i += 1) waits.push(await limiter.take());
    expect(waits.slice(0, 50)).toEqual(Array.from({ length: 50 }, () => 0));
    expect(waits.slice(50)).toEqual([50, 50, 50]);
    expect(limiter.stats).toEqual({ throttled: 3, waitedMs: 150 });
  });

  it('holds the long-run rate at qps: burst + qps·t requests in t seconds', async () => {
    const time = new FakeTime();
    const limiter = bucket(time);
    let sent = 0;
    while (time.at < 10_000) {
      await limiter.take();
      if (time.at <= 10_000) sent += 1;
    }
    expect(sent).toBe(50 + 20 * 10);
  });

  it('queues concurrent callers in arrival order, each reserving the next token', async () => {
    const time = new FakeTime();
    const limiter = new TokenBucket({ qps: 10, burst: 2, now: time.now, sleep: async (ms) => void time.sleeps.push(ms) });
    const waits = await Promise.all(Array.from({ length: 5 }, () => limiter.take()));
    expect(waits).toEqual([0, 0, 100, 200, 300]);
  });

  it('refills to the burst size after a quiet spell, and no further', async () => {
    const time = new FakeTime();
    const limiter = bucket(time, 20, 5);
    for (let i = 0; i < 5; i += 1) await limiter.take();
    time.at += 60_000;
    const waits: number[] = [];
    for (let i = 0; i < 6; i += 1) waits.push(await limiter.take());
    expect(waits).toEqual([0, 0, 0, 0, 0, 50]);
  });

  it('hands the token back when the caller gives up while waiting', async () => {
    const time = new FakeTime();
    const aborted = new AbortController();
    aborted.abort();
    const limiter = new TokenBucket({ qps: 1, burst: 1, now: time.now, sleep: async () => undefined });
    expect(await limiter.take()).toBe(0);
    expect(await limiter.take(aborted.signal)).toBe(1000);
    // The abandoned reservation did not push the next caller further back.
    expect(await limiter.take()).toBe(1000);
  });

  it('refuses a rate or burst that cannot work', () => {
    expect(() => new TokenBucket({ qps: 0, burst: 10 })).toThrow(/qps/);
    expect(() => new TokenBucket({ qps: Number.NaN, burst: 10 })).toThrow(/qps/);
    expect(() => new TokenBucket({ qps: 5, burst: 0 })).toThrow(/burst/);
    expect(() => new TokenBucket({ qps: 5, burst: 2.5 })).toThrow(/burst/);
  });
});

describe('KubeHttpClient with a rate limit', () => {
  let server: Server;
  let url: URL;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url?.includes('watch=true') ? '' : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('takes a token for every request, watches included', async () => {
    const agent = new Agent({ keepAlive: false });
    const connection = { server: url, agent, namespace: undefined, headers: async () => ({}), close: () => agent.destroy() };
    // The clock stands still, so exactly the requests beyond the burst wait (their sleep is recorded, not slept).
    const time = new FakeTime();
    const client = new KubeHttpClient(connection, { rateLimit: { qps: 10, burst: 2, now: time.now, sleep: async (ms) => void time.sleeps.push(ms) } });
    await client.request({ method: 'GET', path: '/api/v1/namespaces' });
    await client.watch('/api/v1/secrets', {}, () => undefined, new AbortController().signal);
    expect(client.limiter?.stats.throttled).toBe(0);
    await client.request({ method: 'GET', path: '/api/v1/namespaces' });
    await client.request({ method: 'GET', path: '/api/v1/namespaces' });
    expect(client.limiter?.stats.throttled).toBe(2);
    expect(time.sleeps).toEqual([100, 200]);
    expect(seen).toHaveLength(4);
    expect(new KubeHttpClient(connection).limiter).toBeUndefined();
    connection.close();
  });
});
