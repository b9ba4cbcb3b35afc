import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, makeTempDir, REPO_ROOT, run, runCliProcess } from '../support/cli.js';
import { buildCsr } from '../support/csr-factory.js';
import { openssl } from '../support/openssl.js';
import { readmeServerPaths } from '../support/readme-paths.js';
import { httpCall, postJson } from '../support/serve-process.js';

/** What a new user sees: the banner, the ranges of the CA, and the failures that must explain themselves. */
let work: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  work = await makeTempDir();
});
afterAll(() => work.cleanup());

interface Started {
  readonly output: () => string;
  stop(): Promise<void>;
}

/** `serve` with exactly these flags (no test defaults), until its banner is complete. */
async function serveUntilBanner(args: readonly string[]): Promise<Started> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'serve', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30s:\n${output}`)), 30_000);
    const take = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/API documentation .*\n/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    void exited.then(() => reject(new Error(`serve exited before its banner:\n${output}`)));
  });
  return {
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('serve explains itself', () => {
  it('prints a banner after "listening on" whose first-certificate command works as printed', async () => {
    const dataDir = join(work.dir, 'banner-data');
    const server = await serveUntilBanner(['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn']);
    try {
      const output = server.output();
      const url = /listening on (https:\/\/127\.0\.0\.1:\d+)\n/.exec(output)?.[1];
      expect(url).toBeDefined();
      expect(output.indexOf('smsgate-ca is ready')).toBeGreaterThan(output.indexOf('listening on'));
      const rootFile = join(dataDir, 'ca/root.crt');
      const fingerprint = (await openssl(['x509', '-in', rootFile, '-noout', '-fingerprint', '-sha256'])).stdout.trim().split('=')[1];
      expect(output).toContain(`  URL                ${url}\n`);
      expect(output).toContain(`  root certificate   ${rootFile}:`);
      expect(output).toContain(`  root SHA-256       ${fingerprint}\n`);
      expect(output).toContain('  allowed ranges     10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16\n');
      expect(output).toContain(`  API documentation  ${url}/docs\n`);
      const command = /first certificate\n {4}node bin\/smsgate-ca\.js (webhooks .*)\n/.exec(output)?.[1];
      expect(command).toBe(`webhooks --url ${url}/api/v1 --ca-file ${rootFile} 192.168.1.10`);
      const dir = join(work.dir, 'first-certificate');
      await mkdir(dir);
      const result = await runCliProcess(command!.split(' '), { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(await readFile(join(dir, 'server.crt'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
      // The served /docs describes every path README names.
      const page = await fetchText(`${url}/docs`, rootFile);
      const served = Object.keys((JSON.parse(await fetchText(`${url}/docs/openapi.json`, rootFile)) as { paths: object }).paths);
      for (const path of readmeServerPaths()) {
        expect(served).toContain(path);
        expect(page).toContain(`<code>${path}</code>`);
      }
    } finally {
      await server.stop();
    }
  });

  it('without --allowed-cidrs certifies what the CA was created for, and logs the effective set', async () => {
    const dataDir = join(work.dir, 'loopback-ca');
    const init = await runCliProcess(['init', '--data-dir', dataDir, '--allowed-cidrs', '10.0.0.0/8,127.0.0.0/8']);
    expect(init.code).toBe(0);
    const server = await serveUntilBanner(['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--rate-limit', '0']);
    try {
      const output = server.output();
      expect(output).toMatch(/"allowedCidrs":\["10\.0\.0\.0\/8","127\.0\.0\.0\/8"\],"from":"the CA \(its name constraints\)","msg":"certifying 10\.0\.0\.0\/8, 127\.0\.0\.0\/8"/);
      expect(output).toContain('  allowed ranges     10.0.0.0/8, 127.0.0.0/8\n');
      const url = /listening on (https:\/\/127\.0\.0\.1:\d+)\n/.exec(output)![1]!;
      const rootPem = await readFile(join(dataDir, 'ca/root.crt'), 'utf8');
      const loopback = await postJson(`${url}/api/v1/csr`, { content: buildCsr({ ips: ['127.0.0.1'] }).pem }, rootPem);
      expect(loopback.status, loopback.text).toBe(202);
      const outside = await postJson(`${url}/api/v1/csr`, { content: buildCsr({ ips: ['192.168.1.10'] }).pem }, rootPem);
      expect(outside.status).toBe(400);
      expect(outside.text).toMatch(/not in the allowed ranges 10\.0\.0\.0\/8, 127\.0\.0\.0\/8/);
    } finally {
      await server.stop();
    }
  });
});

describe('serve fails before it writes anything', () => {
  it('a busy listen port: a one-line reason, exit 1, no CA and no database created', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const dataDir = join(work.dir, 'busy-data');
      const result = await runCliProcess(['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`smsgate-ca serve: cannot listen on 127.0.0.1:${port}: the address is already in use (is another server running there?); nothing was written\n`);
      await expect(access(dataDir)).rejects.toThrow();
    } finally {
      busy.close();
    }
  });

  it('an empty data directory on a read-only mount names the read-only file system', async (context) => {
    const source = join(work.dir, 'ro-source');
    const mountPoint = join(work.dir, 'ro-mount');
    await mkdir(source);
    await mkdir(mountPoint);
    // A private mount namespace (unshare): the read-only bind mount exists for this one command only.
    const script = `mount --bind "$1" "$2" && mount -o remount,ro,bind "$2" && exec "$3" "$4" serve --data-dir "$2/data" --listen 127.0.0.1:0`;
    const probe = await run('unshare', ['-rm', 'true']);
    if (probe.code !== 0) context.skip();
    const result = await run('unshare', ['-rm', 'sh', '-c', script, 'sh', source, mountPoint, process.execPath, CLI_ENTRY]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot use the data directory .*ro-mount\/data: it is on a read-only file system \(EROFS\); give --data-dir a writable directory/);
    expect(await readdir(source)).toEqual([]);
  });
});

async function fetchText(url: string, caFile: string): Promise<string> {
  return (await httpCall(url, { caPem: await readFile(caFile, 'utf8') })).text;
}
