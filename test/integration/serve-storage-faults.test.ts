import { execFileSync } from 'node:child_process';
import { open, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCliProcess } from '../support/cli.js';
import { buildCsr } from '../support/csr-factory.js';
import { RawAcmeClient } from '../support/acme-test-client.js';
import { httpCall, pollUntilDecided, postJson, readRoot, startServeProcess, TEST_ALLOWED_CIDRS, type CsrStatusBody } from '../support/serve-process.js';

let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  work = await makeTempDir();
});

afterAll(() => work.cleanup());

const SERVE_ARGS = ['--rate-limit', '0'];

async function submitAndWait(url: string, ip: string, rootPem?: string): Promise<CsrStatusBody> {
  const submitted = await postJson(`${url}/api/v1/csr`, { content: buildCsr({ ips: [ip] }).pem }, rootPem);
  expect(submitted.status).toBe(202);
  return (await pollUntilDecided(url, submitted.json<CsrStatusBody>().request_id, rootPem ?? '')).json<CsrStatusBody>();
}

/** `serve` run to its end (it is expected to refuse to start): exit code and output. */
function serveOnce(dataDir: string): ReturnType<typeof runCliProcess> {
  return runCliProcess(['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--allowed-cidrs', TEST_ALLOWED_CIDRS, '--log-level', 'warn']);
}

describe('one serve per data directory', () => {
  it('refuses a second serve on the same directory, naming the first; a killed holder does not block the next start', async () => {
    const dataDir = join(work.dir, 'locked');
    const first = await startServeProcess(dataDir, SERVE_ARGS);
    const rootPem = await readRoot(dataDir);
    const approved = await submitAndWait(first.url, '192.168.7.1', rootPem);
    expect(approved.status).toBe('approved');

    const second = await serveOnce(dataDir);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`the data directory ${dataDir} is in use by another smsgate-ca serve (PID ${first.child.pid} on ${hostname()}`);
    expect(second.stderr).toContain('listening on 127.0.0.1:0');
    // The refused process wrote nothing: the first still serves, with its data.
    expect((await httpCall(`${first.url}/api/v1/csr/${approved.request_id}`, { caPem: rootPem })).json<CsrStatusBody>().status).toBe('approved');

    // kill -9 leaves the lock file behind; the kernel dropped its lock with the process.
    expect(await first.stop('SIGKILL')).toBeNull();
    expect((await stat(join(dataDir, 'serve.lock'))).isFile()).toBe(true);
    const next = await startServeProcess(dataDir, SERVE_ARGS);
    try {
      expect((await httpCall(`${next.url}/api/v1/csr/${approved.request_id}`, { caPem: rootPem })).json<CsrStatusBody>().status).toBe('approved');
    } finally {
      expect(await next.stop()).toBe(0);
    }
  });
});

describe('a damaged database', () => {
  it('refuses to start, naming the file and the way to restore it, and leaves the file as it was', async () => {
    const dataDir = join(work.dir, 'damaged');
    const server = await startServeProcess(dataDir, SERVE_ARGS);
    const rootPem = await readRoot(dataDir);
    for (const ip of ['192.168.8.1', '192.168.8.2', '192.168.8.3']) expect((await submitAndWait(server.url, ip, rootPem)).status).toBe('approved');
    expect(await server.stop()).toBe(0);

    const file = join(dataDir, 'smsgate-ca.db');
    const { size } = await stat(file);
    const offset = Math.floor(size / 2 / 4096) * 4096;
    const garbage = Buffer.alloc(8192, 'garbage!');
    const handle = await open(file, 'r+');
    await handle.write(garbage, 0, garbage.length, offset);
    await handle.close();
    const damaged = await stat(file);

    const refused = await serveOnce(dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the database ${file} is damaged`);
    expect(refused.stderr).toContain('README: "Backup and restore"');
    expect(refused.stdout).not.toContain('listening on');
    expect((await stat(file)).mtimeMs).toBe(damaged.mtimeMs);
    expect((await stat(file)).size).toBe(damaged.size);
  });
});

/** A tmpfs of its own for the data directory: the kernel's ENOSPC, not a simulated one. Needs root. */
function mountSmallTmpfs(mountPoint: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mkdir', ['-p', mountPoint]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fills the file system to the last byte with one file. */
async function fillUp(file: string): Promise<void> {
  const handle = await open(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let written = 0; written < 64 * 1024 * 1024; written += chunk.length) await handle.write(chunk);
    throw new Error('the file system did not fill up within 64 MiB');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // The last partial chunk may have left a few bytes: fill them one by one.
    for (;;) {
      try {
        await handle.write(Buffer.alloc(1, 1));
      } catch {
        break;
      }
    }
  } finally {
    await handle.close();
  }
}

const tmpfs = join(process.env['TMPDIR'] ?? '/tmp', `smsgate-ca-full-${process.pid}`);
const mounted = mountSmallTmpfs(tmpfs);

describe.skipIf(!mounted)('a full disk (a small tmpfs)', () => {
  afterAll(async () => {
    execFileSync('umount', [tmpfs]);
    await rm(tmpfs, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After on REST and ACME and is not ready while writes fail, then recovers by itself once space is back', async () => {
    const dataDir = join(tmpfs, 'data');
    const server = await startServeProcess(dataDir, [...SERVE_ARGS, '--insecure-http', '--acme-new-account-rate', '0']);
    const filler = join(tmpfs, 'filler');
    try {
      const before = await submitAndWait(server.url, '192.168.9.1');
      expect(before.status).toBe('approved');
      expect((await httpCall(`${server.url}/readyz`)).status).toBe(200);

      await fillUp(filler);
      const refused = await postJson(`${server.url}/api/v1/csr`, { content: buildCsr({ ips: ['192.168.9.2'] }).pem });
      expect({ status: refused.status, retryAfter: refused.headers['retry-after'], body: refused.json() }).toEqual({
        status: 503,
        retryAfter: '5',
        body: { error: { message: expect.stringContaining('storage is unavailable'), code: 503 } },
      });
      const acme = await RawAcmeClient.create(`${server.url}/acme/directory`);
      const account = await acme.createAccount();
      expect({ status: account.status, contentType: account.headers.get('content-type'), retryAfter: account.headers.get('retry-after') }).toEqual({
        status: 503,
        contentType: 'application/problem+json',
        retryAfter: '5',
      });
      expect(account.json()).toMatchObject({ type: 'urn:ietf:params:acme:error:serverInternal', status: 503 });
      const notReady = await httpCall(`${server.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(notReady.text).toContain('SQLITE_FULL');
      // Reads still work: an earlier request is answered as before.
      expect((await httpCall(`${server.url}/api/v1/csr/${before.request_id}`)).json<CsrStatusBody>().status).toBe('approved');

      await unlink(filler);
      // No request needed: readiness itself finds out that writes work again.
      expect((await httpCall(`${server.url}/readyz`)).status).toBe(200);
      expect((await submitAndWait(server.url, '192.168.9.2')).status).toBe('approved');
      expect((await acme.createAccount()).status).toBe(201);
      const logs = server.output();
      expect(logs).toContain('database writes fail');
      expect(logs).toContain('database writes work again');
    } finally {
      await rm(filler, { force: true });
      expect(await server.stop()).toBe(0);
    }
  });
});
