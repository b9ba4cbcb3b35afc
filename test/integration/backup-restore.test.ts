import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, run, runCliProcess } from '../support/cli.js';
import { buildCsr } from '../support/csr-factory.js';
import { httpCall, pollUntilDecided, postJson, readRoot, startServeProcess, type CsrStatusBody } from '../support/serve-process.js';

let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  work = await makeTempDir();
});

afterAll(() => work.cleanup());

describe('smsgate-ca backup, and a restore with tar', () => {
  it('copies database and CA while serve runs and writes; the restored directory serves the old requests with the same CA', async () => {
    const dataDir = join(work.dir, 'live');
    const server = await startServeProcess(dataDir, ['--rate-limit', '0']);
    const rootPem = await readRoot(dataDir);
    const before: CsrStatusBody[] = [];
    for (const ip of ['192.168.20.1', '192.168.20.2']) {
      const submitted = await postJson(`${server.url}/api/v1/csr`, { content: buildCsr({ ips: [ip] }).pem }, rootPem);
      before.push((await pollUntilDecided(server.url, submitted.json<CsrStatusBody>().request_id, rootPem)).json<CsrStatusBody>());
    }
    expect(before.map((request) => request.status)).toEqual(['approved', 'approved']);

    // Requests keep arriving while the backup is taken.
    const out = join(work.dir, 'backup.tar.gz');
    const during = Promise.all(['192.168.21.1', '192.168.21.2', '192.168.21.3'].map((ip) => postJson(`${server.url}/api/v1/csr`, { content: buildCsr({ ips: [ip] }).pem }, rootPem)));
    const backup = await runCliProcess(['backup', '--data-dir', dataDir, '--out', out]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`wrote ${out}`);
    expect((await during).map((reply) => reply.status)).toEqual([202, 202, 202]);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(await server.stop()).toBe(0);

    const listing = await run('tar', ['-tzvf', out]);
    expect(listing.stdout).toMatch(/^-rw------- .* smsgate-ca\.db$/m);
    expect(listing.stdout).toMatch(/^-rw------- .* ca\/root\.key$/m);
    expect(listing.stdout).not.toContain('serve.lock');
    expect(listing.stdout).not.toContain('-wal');

    const restored = join(work.dir, 'restored');
    await mkdir(restored, { mode: 0o700 });
    expect((await run('tar', ['-xzf', out, '-C', restored])).code).toBe(0);
    expect((await stat(join(restored, 'ca'))).mode & 0o777).toBe(0o700);
    expect(await readRoot(restored)).toBe(rootPem);
    const again = await startServeProcess(restored, ['--rate-limit', '0']);
    try {
      for (const request of before) {
        const answer = await httpCall(`${again.url}/api/v1/csr/${request.request_id}`, { caPem: rootPem });
        expect(answer.json<CsrStatusBody>()).toEqual(request);
      }
      const after = await postJson(`${again.url}/api/v1/csr`, { content: buildCsr({ ips: ['192.168.22.1'] }).pem }, rootPem);
      expect((await pollUntilDecided(again.url, after.json<CsrStatusBody>().request_id, rootPem)).json<CsrStatusBody>().status).toBe('approved');
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });

  it('names a directory without a database instead of writing an empty backup', async () => {
    const empty = join(work.dir, 'empty');
    await mkdir(empty);
    const result = await runCliProcess(['backup', '--data-dir', empty, '--out', join(work.dir, 'none.tar.gz')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no database in ${empty}`);
    await expect(stat(join(work.dir, 'none.tar.gz'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
