import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig, type ServeValues } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { createLogger, silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir } from '../support/cli.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { pemBlocks } from '../support/openssl.js';
import { httpCall, pollUntilDecided, postJson, type CsrStatusBody } from '../support/serve-process.js';
import { ManualClock } from '../support/manual-clock.js';

/**
 * A signing CA near or past the end of its usable life, with an injected clock and the root key
 * offline (so no rollover can cure it): requests are refused at once with 503 and a clear message,
 * never accepted and denied later; /readyz says so, warns months ahead, and the metric names the end.
 * And a data directory whose ledger holds certificates but whose CA is gone refuses to start.
 */
const DAY = 24 * 60 * 60 * 1000;

let work: { dir: string; cleanup: () => Promise<void> };
let dataDir: string;
let intermediate: X509Certificate;
let server: RunningCaServer | undefined;
const clock = new ManualClock(Date.now());

function values(extra: ServeValues = {}): ServeValues {
  return { 'data-dir': dataDir, listen: '127.0.0.1:0', 'metrics-listen': '127.0.0.1:0', 'insecure-http': true, 'rate-limit': '0', 'log-level': 'silent', ...extra };
}

async function start(extra: ServeValues = {}, logger = silentLogger()): Promise<RunningCaServer> {
  server = await startServer(buildServeConfig(values(extra)), { clock, logger, version: 'test' });
  return server;
}

function submit(url: string, ip = '10.0.0.5') {
  return postJson(`${url}/api/v1/csr`, { type: 'private_server', content: buildCsr({ key: freshKey('p256'), ips: [ip] }).pem });
}

async function metricValue(running: RunningCaServer): Promise<string | undefined> {
  const text = (await httpCall(running.metricsUrl!)).text;
  return /^smsgate_ca_signing_ca_not_after_seconds (\S+)$/m.exec(text)?.[1];
}

beforeAll(async () => {
  work = await makeTempDir();
  dataDir = join(work.dir, 'data');
  const first = await start();
  const issued = await pollUntilDecided(first.url, (await submit(first.url)).json<CsrStatusBody>().request_id, '');
  expect(issued.json<CsrStatusBody>().status).toBe('approved');
  await first.close();
  server = undefined;
  intermediate = new X509Certificate(await readFile(join(dataDir, 'ca/intermediate.crt'), 'utf8'));
  // The root key offline: nothing here can make the next intermediate.
  await rm(join(dataDir, 'ca/root.key'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(() => work?.cleanup());

describe('a signing CA at the end of its usable life', () => {
  it('in its last year (refuse policy): 503 with the envelope at submit, never 202; /readyz not ready; the metric names its end', async () => {
    clock.set(new Date(new Date(intermediate.validTo).getTime() - 100 * DAY));
    const running = await start();
    const refused = await submit(running.url);
    expect(refused.status, refused.text).toBe(503);
    const { error } = refused.json<{ error: { message: string; code: number } }>();
    expect(error.code).toBe(503);
    expect(error.message).toContain('ca_unavailable');
    expect(error.message).toContain(new Date(intermediate.validTo).toISOString());
    expect(error.message).toContain('--short-leaves-near-ca-expiry is off');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const ready = await httpCall(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.json<{ checks: Record<string, string> }>().checks['ca']).toContain('a 365-day certificate no longer fits');
    expect(Number(await metricValue(running))).toBe(Math.floor(new Date(intermediate.validTo).getTime() / 1000));
  });

  it('with --short-leaves-near-ca-expiry: accepted and signed, ending with the CA; /readyz ready with a warning', async () => {
    clock.set(new Date(new Date(intermediate.validTo).getTime() - 100 * DAY));
    const running = await start({ 'short-leaves-near-ca-expiry': true });
    const accepted = await submit(running.url, '10.0.0.9');
    expect(accepted.status, accepted.text).toBe(202);
    const decided = (await pollUntilDecided(running.url, accepted.json<CsrStatusBody>().request_id, '')).json<CsrStatusBody>();
    expect(decided.status, decided.message).toBe('approved');
    const leaf = new X509Certificate(pemBlocks(decided.certificate!)[0]!);
    expect(new Date(leaf.validTo).getTime()).toBe(new Date(intermediate.validTo).getTime());
    const ready = await httpCall(`${running.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.json<{ warnings: Record<string, string> }>().warnings['ca']).toContain('shortened');
  });

  it('expiring while running: 503 at submit whatever the policy, /readyz not ready', async () => {
    clock.set(new Date(new Date(intermediate.validTo).getTime() - 2 * DAY));
    const running = await start({ 'short-leaves-near-ca-expiry': true });
    expect((await httpCall(`${running.url}/readyz`)).status).toBe(200);
    clock.set(new Date(new Date(intermediate.validTo).getTime() + DAY));
    const refused = await submit(running.url);
    expect(refused.status, refused.text).toBe(503);
    expect(refused.json<{ error: { message: string } }>().error.message).toContain('expired');
    expect((await httpCall(`${running.url}/readyz`)).status).toBe(503);
  });

  it('months ahead: ready, a warning in /readyz and in the log at start', async () => {
    const fullLeavesUntil = new Date(intermediate.validTo).getTime() - 365 * DAY + 60 * 60 * 1000;
    clock.set(new Date(fullLeavesUntil - 30 * DAY));
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const running = await start({}, createLogger({ level: 'warn', destination: sink }));
    const accepted = await submit(running.url, '10.0.0.10');
    expect(accepted.status, accepted.text).toBe(202);
    const ready = await httpCall(`${running.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.json<{ warnings: Record<string, string> }>().warnings['ca']).toContain('certificate requests will be refused');
    const warning = lines.map((line) => JSON.parse(line) as { level: string; msg: string }).find((line) => line.msg.includes('a 365-day certificate no longer fits'));
    expect(warning?.level).toBe('warn');
  });
});

describe('a data directory that lost its CA', () => {
  it('refuses to start while its ledger holds certificates, naming what to restore; --ca-bootstrap makes a new root', async () => {
    clock.set(new Date());
    const oldRoot = await readFile(join(dataDir, 'ca/root.crt'), 'utf8');
    await rm(join(dataDir, 'ca'), { recursive: true });
    await expect(start()).rejects.toThrow(/ca[/]intermediate\.crt is missing, but the ledger in .* holds \d+ certificates.*--ca-bootstrap/);
    const bootstrapped = await start({ 'ca-bootstrap': true });
    const newRoot = await readFile(join(dataDir, 'ca/root.crt'), 'utf8');
    expect(newRoot).not.toBe(oldRoot);
    expect((await submit(bootstrapped.url)).status).toBe(202);
  });
});
