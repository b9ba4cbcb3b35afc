import { X509Certificate } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir, runCliProcess } from '../support/cli.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { pemBlocks, verifyServerChain } from '../support/openssl.js';
import { httpCall, pollUntilDecided, postJson, type CsrStatusBody } from '../support/serve-process.js';

/**
 * The root key offline: `init --root-key-out FILE` keeps it out of the data directory, `serve`
 * runs without it (and says a rollover needs it), `ca rotate --root-key FILE` makes the next
 * intermediate, which the running server picks up on its next check.
 */
let work: { dir: string; cleanup: () => Promise<void> };
let server: RunningCaServer | undefined;

beforeAll(async () => {
  work = await makeTempDir();
});

afterAll(async () => {
  await server?.close();
  await work?.cleanup();
});

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('the root key kept offline', () => {
  const dataDir = () => join(work.dir, 'data');
  const rootKeyFile = () => join(work.dir, 'offline-root.key');

  it('init --root-key-out writes the root key there, not in the data directory; --no-root-key with it is refused', async () => {
    const both = await runCliProcess(['init', '--data-dir', join(work.dir, 'other'), '--root-key-out', rootKeyFile(), '--no-root-key']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('exclude each other');
    const init = await runCliProcess(['init', '--data-dir', dataDir(), '--root-key-out', rootKeyFile()]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(`root key: ${rootKeyFile()} (offline`);
    expect(await exists(join(dataDir(), 'ca/root.key'))).toBe(false);
    expect(await exists(rootKeyFile())).toBe(true);
  });

  it('serve runs without ca/root.key and signs', async () => {
    server = await startServer(buildServeConfig({ 'data-dir': dataDir(), listen: '127.0.0.1:0', 'insecure-http': true, 'rate-limit': '0', 'log-level': 'silent' }), { logger: silentLogger(), version: 'test' });
    expect(server.live.loaded?.rootKey).toBeUndefined();
    const submitted = await postJson(`${server.url}/api/v1/csr`, { type: 'private_server', content: buildCsr({ key: freshKey('p256'), ips: ['10.0.0.5'] }).pem });
    expect(submitted.status, submitted.text).toBe(202);
    const decided = (await pollUntilDecided(server.url, submitted.json<CsrStatusBody>().request_id, '')).json<CsrStatusBody>();
    expect(decided.status).toBe('approved');
  });

  it('ca rotate --root-key FILE makes the next intermediate; the running server switches to it', async () => {
    const before = new X509Certificate(await readFile(join(dataDir(), 'ca/intermediate.crt'), 'utf8'));
    const rotated = await runCliProcess(['ca', 'rotate', '--data-dir', dataDir(), '--root-key', rootKeyFile()]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const after = new X509Certificate(await readFile(join(dataDir(), 'ca/intermediate.crt'), 'utf8'));
    expect(after.fingerprint256).not.toBe(before.fingerprint256);
    expect(await exists(join(dataDir(), 'ca/root.key'))).toBe(false);

    await server!.upkeep.check();
    const chain = (await httpCall(`${server!.url}/api/v1/ca`)).json<{ chain: string; root: string }>();
    expect(new X509Certificate(chain.chain).fingerprint256).toBe(after.fingerprint256);
    const submitted = await postJson(`${server!.url}/api/v1/csr`, { type: 'private_server', content: buildCsr({ key: freshKey('p256'), ips: ['10.0.0.6'] }).pem });
    const decided = (await pollUntilDecided(server!.url, submitted.json<CsrStatusBody>().request_id, '')).json<CsrStatusBody>();
    expect(new X509Certificate(pemBlocks(decided.certificate!)[1]!).fingerprint256).toBe(after.fingerprint256);
    const verified = await verifyServerChain(work.dir, decided.certificate!, chain.root, '10.0.0.6');
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('ca rotate without a root key names the file it looked for', async () => {
    const refused = await runCliProcess(['ca', 'rotate', '--data-dir', dataDir()]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(join(dataDir(), 'ca/root.key'));
  });
});
