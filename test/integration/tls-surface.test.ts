import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, run } from '../support/cli.js';
import { httpCall, readRoot, startServeProcess, type ServeProcess } from '../support/serve-process.js';

/**
 * The TLS surface of a real `serve` process, probed with the real `openssl s_client`: Mozilla's
 * intermediate profile (TLS 1.3; TLS 1.2 with ECDHE + AEAD only) and HSTS on HTTPS responses only.
 */
let work: { dir: string; cleanup: () => Promise<void> };
let https: ServeProcess;
let plain: ServeProcess;
let rootPem: string;

beforeAll(async () => {
  work = await makeTempDir();
  [https, plain] = await Promise.all([
    startServeProcess(join(work.dir, 'tls')),
    startServeProcess(join(work.dir, 'plain'), ['--insecure-http']),
  ]);
  rootPem = await readRoot(join(work.dir, 'tls'));
}, 60_000);

afterAll(async () => {
  await Promise.all([https?.stop(), plain?.stop()]);
  await work?.cleanup();
});

/** One handshake (stdin closed at once, so s_client leaves right after it); the negotiated protocol and cipher. */
async function handshake(...options: string[]): Promise<{ ok: boolean; protocol?: string; cipher?: string; output: string }> {
  const result = await run('openssl', ['s_client', '-connect', `127.0.0.1:${https.port}`, '-servername', 'localhost', ...options], { input: '' });
  const output = result.stdout + result.stderr;
  const negotiated = /New, (TLSv[\d.]+), Cipher is (\S+)/.exec(output);
  return { ok: result.code === 0 && negotiated !== null && negotiated[2] !== '(NONE)', protocol: negotiated?.[1], cipher: negotiated?.[2], output };
}

describe('TLS: Mozilla intermediate', () => {
  it.each(['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-GCM-SHA256'])('refuses TLS 1.2 with %s (CBC or no forward secrecy)', async (cipher) => {
    const result = await handshake('-tls1_2', '-cipher', cipher);
    expect(result.ok, result.output).toBe(false);
    expect(result.output).toMatch(/handshake failure|no cipher|alert/i);
  });

  it.each(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'])('accepts TLS 1.2 with %s', async (cipher) => {
    const result = await handshake('-tls1_2', '-cipher', cipher);
    expect({ ok: result.ok, protocol: result.protocol, cipher: result.cipher }, result.output).toEqual({ ok: true, protocol: 'TLSv1.2', cipher });
  });

  it('accepts TLS 1.3', async () => {
    const result = await handshake('-tls1_3');
    expect({ ok: result.ok, protocol: result.protocol }, result.output).toEqual({ ok: true, protocol: 'TLSv1.3' });
    expect(result.cipher).toMatch(/^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/);
  });

  it('refuses TLS 1.1', async () => {
    const result = await handshake('-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0');
    expect(result.ok, result.output).toBe(false);
  });
});

describe('Strict-Transport-Security', () => {
  it.each(['/healthz', '/api/v1/csr/REQ_AAAAAAAAAAAAAAAAAAAAAAAAAA', '/acme/directory', '/no-such-route'])('is on every HTTPS response (%s)', async (path) => {
    const result = await httpCall(`${https.url}${path}`, { caPem: rootPem });
    expect(result.headers['strict-transport-security']).toBe('max-age=63072000');
  });

  it('is absent over plain HTTP (--insecure-http)', async () => {
    expect(plain.url).toMatch(/^http:/);
    const result = await httpCall(`${plain.url}/healthz`);
    expect(result.status).toBe(200);
    expect(result.headers['strict-transport-security']).toBeUndefined();
  });
});
