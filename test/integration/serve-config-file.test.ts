import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCliProcess } from '../support/cli.js';
import { certificateText } from '../support/openssl.js';
import { httpCall, startServeProcess, type ServeProcess } from '../support/serve-process.js';

let server: ServeProcess | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('--config FILE', () => {
  it('init takes its settings from a YAML file', async () => {
    const work = await makeTempDir();
    cleanups.push(work.cleanup);
    const config = join(work.dir, 'smsgate-ca.yaml');
    await writeFile(config, `data-dir: ${join(work.dir, 'data')}\nkey-algorithm: ecdsa-p384\nallowed-cidrs:\n  - 10.0.0.0/8\n  - 127.0.0.0/8\n`);
    const result = await runCliProcess(['init', '--config', config]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const intermediate = await certificateText(work.dir, await readFile(join(work.dir, 'data/ca/intermediate.crt'), 'utf8'));
    expect(intermediate).toMatch(/NIST CURVE: P-384/);
    expect(intermediate).toMatch(/Permitted:\s+IP:10\.0\.0\.0\/255\.0\.0\.0\s+IP:127\.0\.0\.0\/255\.0\.0\.0\s*\n/);
  });

  it('serve reads the file given by SMSGATE_CA_CONFIG; flags still win', async () => {
    const work = await makeTempDir();
    cleanups.push(work.cleanup);
    const config = join(work.dir, 'smsgate-ca.yaml');
    await writeFile(config, 'insecure-http: true\nrate-limit: 0\nlisten: 127.0.0.1:1\n');
    server = await startServeProcess(join(work.dir, 'data'), [], { SMSGATE_CA_CONFIG: config });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/); // insecure-http from the file, --listen from the flag
    expect(server.port).not.toBe(1);
    const health = await httpCall(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('serve refuses to start on a misspelt setting', async () => {
    const work = await makeTempDir();
    cleanups.push(work.cleanup);
    const config = join(work.dir, 'typo.yaml');
    await writeFile(config, 'rate-limt: 0\n');
    const result = await runCliProcess(['serve', '--config', config, '--data-dir', join(work.dir, 'data'), '--listen', '127.0.0.1:0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown setting "rate-limt"/);
  });
});
