import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir } from '../support/cli.js';
import { openssl } from '../support/openssl.js';
import { httpCall, readRoot } from '../support/serve-process.js';

/** --crl-listen: the CRL, and only the CRL, over plain HTTP, where a CDP URL points relying parties. */
let work: { dir: string; cleanup: () => Promise<void> };
let server: RunningCaServer;

beforeAll(async () => {
  work = await makeTempDir();
  const config = buildServeConfig({ 'data-dir': join(work.dir, 'data'), listen: '127.0.0.1:0', 'crl-listen': '127.0.0.1:0', 'log-level': 'silent' });
  server = await startServer(config, { logger: silentLogger() });
});

afterAll(async () => {
  await server?.close();
  await work?.cleanup();
});

describe('serve --crl-listen', () => {
  it('serves a CRL that verifies against the CA, over plain HTTP', async () => {
    expect(server.crlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/crl$/);
    const response = await fetch(server.crlUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pkix-crl');
    const crlFile = join(work.dir, 'crl.der');
    await writeFile(crlFile, Buffer.from(await response.arrayBuffer()));
    const dataDir = join(work.dir, 'data');
    const bundle = join(work.dir, 'bundle.pem');
    await writeFile(bundle, (await readRoot(dataDir)) + (await readFile(join(dataDir, 'ca/intermediate.crt'), 'utf8')));
    const verified = await openssl(['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', bundle, '-verify', '-noout']);
    expect(verified.stderr).toMatch(/verify OK/);
  });

  it('serves nothing else there: the API stays on the HTTPS listener', async () => {
    const base = server.crlUrl!.replace(/\/crl$/, '');
    expect((await httpCall(`${base}/crl.pem`)).text).toMatch(/^-----BEGIN X509 CRL-----/);
    expect((await httpCall(`${base}/api/v1/ca`)).status).toBe(404);
    expect((await httpCall(`${base}/acme/directory`)).status).toBe(404);
    expect((await httpCall(`${server.url}/api/v1/ca`, { caPem: await readRoot(join(work.dir, 'data')) })).status).toBe(200);
  });
});
