import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { startHttp01Responder, type Http01Responder } from '../support/acme-responders.js';
import { freePort } from '../support/acme-serve.js';
import { keyAuthorizationFor, RawAcmeClient } from '../support/acme-test-client.js';
import { makeTempDir, runCliProcess } from '../support/cli.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { caKeys, testKeyOf, weakRsaKeys, type RefusedKey } from '../support/refused-keys.js';
import { postJson, TEST_ALLOWED_CIDRS } from '../support/serve-process.js';

/**
 * Weak and borrowed keys at the three doors of `serve` and the CLI: one server (the real composition
 * root, REST and ACME on one port), `smsgate-ca sign` on its data directory, and one ready ACME
 * order that every refused finalize leaves ready. Each key comes in a correctly signed CSR, so only
 * the key check can refuse it; a fresh P-256 key passes each door as the control.
 */
const IP = '127.0.0.23';
let work: { dir: string; cleanup: () => Promise<void> };
let server: RunningCaServer;
let http01: Http01Responder;
let dataDir: string;
let refused: RefusedKey[];

beforeAll(async () => {
  work = await makeTempDir();
  dataDir = join(work.dir, 'data');
  const port = await freePort(IP);
  http01 = await startHttp01Responder(IP, port);
  const config = buildServeConfig({
    'data-dir': dataDir,
    listen: '127.0.0.1:0',
    'insecure-http': true,
    'allowed-cidrs': TEST_ALLOWED_CIDRS,
    'rate-limit': '0',
    'acme-http01-port': String(port),
    'acme-new-account-rate': '0',
    'acme-new-order-rate': '0',
    'log-level': 'silent',
  });
  server = await startServer(config, { logger: silentLogger(), version: 'test' });
  const pem = (name: string) => readFile(join(dataDir, 'ca', name), 'utf8');
  refused = [...weakRsaKeys(), ...caKeys({ root: await pem('root.key'), intermediate: await pem('intermediate.key') })];
}, 120_000);

afterAll(async () => {
  await server?.close();
  await http01?.close();
  await work?.cleanup();
});

const NAMES = ['RSA-2048 whose modulus 7 divides', 'RSA-2048 with Fermat-close primes (|p − q| ≈ 2^20)', 'RSA-2048 with the ROCA fingerprint', 'the root CA key', 'the intermediate CA key'];
const row = (name: string): RefusedKey => refused.find((candidate) => candidate.name === name)!;

describe('REST POST /api/v1/csr', () => {
  it.each(NAMES)('refuses %s: 400 envelope naming the reason', async (name) => {
    const { key, reason, says } = row(name);
    const reply = await postJson(`${server.url}/api/v1/csr`, { content: buildCsr({ key, ips: [IP] }).pem });
    expect(reply.status, reply.text).toBe(400);
    const { error } = reply.json<{ error: { message: string; code: number } }>();
    expect(error.code).toBe(400);
    expect(error.message).toMatch(new RegExp(`^CSR refused \\(${reason}\\): `));
    expect(error.message).toMatch(says);
  });

  it('accepts a fresh key (control)', async () => {
    const reply = await postJson(`${server.url}/api/v1/csr`, { content: buildCsr({ key: freshKey('p256'), ips: [IP] }).pem });
    expect(reply.status, reply.text).toBe(202);
  });
});

describe('smsgate-ca sign', () => {
  const sign = async (pem: string) => {
    const file = join(work.dir, `request-${Math.random().toString(16).slice(2)}.csr`);
    await writeFile(file, pem);
    return runCliProcess(['sign', '--data-dir', dataDir, '--csr', file, '--allowed-cidrs', TEST_ALLOWED_CIDRS]);
  };

  it.each(NAMES)('refuses %s: exit 1, the reason on stderr, nothing on stdout', async (name) => {
    const { key, reason, says } = row(name);
    const result = await sign(buildCsr({ key, ips: [IP] }).pem);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^smsgate-ca sign: refused \\(${reason}\\): `));
    expect(result.stderr).toMatch(says);
  });

  it('signs a fresh key (control)', async () => {
    const result = await sign(buildCsr({ key: freshKey('p256'), ips: [IP] }).pem);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});

describe('ACME finalize', () => {
  let client: RawAcmeClient;
  let finalizeUrl: string;

  beforeAll(async () => {
    client = await RawAcmeClient.create(`${server.url}/acme/directory`);
    expect((await client.createAccount()).status).toBe(201);
    const order = await client.newOrder([IP]);
    expect(order.status, order.text).toBe(201);
    const body = order.json<{ authorizations: string[]; finalize: string }>();
    for (const url of body.authorizations) {
      const authorization = (await client.fetch(url)).json<{ challenges: Array<{ type: string; url: string; token: string }> }>();
      const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01')!;
      http01.tokens.set(challenge.token, keyAuthorizationFor(challenge.token, client.key));
      expect((await client.post(challenge.url, {})).status).toBe(200);
      expect((await client.pollUntil(url, (settled) => settled['status'] !== 'pending'))['status']).toBe('valid');
    }
    finalizeUrl = body.finalize;
  });

  const finalize = (key: RefusedKey['key']) => client.post(finalizeUrl, { csr: Buffer.from(buildCsr({ key, ips: [IP] }).der).toString('base64url') });

  it.each(NAMES)('refuses %s: 400 badCSR naming the reason, the order stays ready', async (name) => {
    const { key, reason, says } = row(name);
    const reply = await finalize(key);
    expect(reply.status, reply.text).toBe(400);
    const problem = reply.json<{ type: string; detail: string }>();
    expect(problem.type).toBe('urn:ietf:params:acme:error:badCSR');
    expect(problem.detail).toMatch(says);
    expect(problem.detail).toContain(`(${reason})`);
  });

  it('refuses the account key: 400 badCSR', async () => {
    const reply = await finalize(testKeyOf(client.key.privateKey));
    expect(reply.status, reply.text).toBe(400);
    const problem = reply.json<{ type: string; detail: string }>();
    expect(problem.type).toBe('urn:ietf:params:acme:error:badCSR');
    expect(problem.detail).toBe('the CSR uses the account key; the certificate needs a key of its own (key_reused)');
  });

  it('finalizes the same order with a fresh key (control)', async () => {
    const reply = await finalize(freshKey('p256'));
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json<{ status: string }>().status).toBe('valid');
  });
});
