import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { access, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCliProcess } from '../support/cli.js';
import { certificateText, openssl, pemBlocks, verifyServerChain } from '../support/openssl.js';
import { readRoot, startServeProcess, type ServeProcess } from '../support/serve-process.js';

/** The SMSGate CLI's commands against a local server; --url and --ca-file always point at it. */
let work: { dir: string; cleanup: () => Promise<void> };
let server: ServeProcess;
let dataDir: string;
let rootPem: string;
let rootFile: string;

beforeAll(async () => {
  work = await makeTempDir();
  dataDir = join(work.dir, 'data');
  server = await startServeProcess(dataDir, ['--rate-limit', '0']);
  rootFile = join(dataDir, 'ca/root.crt');
  rootPem = await readRoot(dataDir);
});

afterAll(async () => {
  await server?.stop();
  await work.cleanup();
});

async function freshDir(name: string): Promise<string> {
  const dir = join(work.dir, name);
  await mkdir(dir);
  return dir;
}

async function expectWorkingPair(dir: string, certFile: string, keyFile: string, ip: string, typeByte: string): Promise<void> {
  expect((await stat(join(dir, certFile))).mode & 0o777).toBe(0o600);
  expect((await stat(join(dir, keyFile))).mode & 0o777).toBe(0o400);
  const chain = await readFile(join(dir, certFile), 'utf8');
  expect(pemBlocks(chain)).toHaveLength(2);
  const verify = await verifyServerChain(dir, chain, rootPem, ip);
  expect(verify.code).toBe(0);
  const certKey = await openssl(['x509', '-in', certFile, '-noout', '-pubkey'], { cwd: dir });
  const ownKey = await openssl(['pkey', '-in', keyFile, '-pubout'], { cwd: dir });
  expect(certKey.stdout).toBe(ownKey.stdout);
  expect(ownKey.stdout).toMatch(/BEGIN PUBLIC KEY/);
  const text = await certificateText(dir, pemBlocks(chain)[0]!);
  expect(text).toMatch(new RegExp(`Serial Number:\\s*\\n\\s*${typeByte}:`));
  expect(text).toMatch(/ASN1 OID: prime256v1/);
}

describe('smsgate-ca webhooks / private', () => {
  it('webhooks writes a webhook certificate and key with the documented flags', async () => {
    const dir = await freshDir('webhooks');
    const result = await runCliProcess(['webhooks', `--url=${server.url}/api/v1`, '--ca-file', rootFile, '--out=server.crt', '--keyout=server.key', '192.168.1.10'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Submitting CSR to https:\/\/127\.0\.0\.1:\d+\/api\/v1\//);
    expect(result.stdout).toMatch(/request ID: REQ_[A-Z2-7]{26}/);
    expect(result.stdout).toMatch(/Certificate saved to server\.crt\nPrivate key saved to server\.key\n$/);
    await expectWorkingPair(dir, 'server.crt', 'server.key', '192.168.1.10', '01');
  });

  it('private (alias p) uses server.crt / server.key by default, and the URL and CA from the environment', async () => {
    const dir = await freshDir('private');
    const result = await runCliProcess(['p', '10.0.0.5'], { cwd: dir, env: { ...process.env, ASG_CA_URL: `${server.url}/api/v1`, ASG_CA_CA_FILE: rootFile } });
    expect(result.code).toBe(0);
    await expectWorkingPair(dir, 'server.crt', 'server.key', '10.0.0.5', '02');
  });

  it('wh replaces files from an earlier run (even the read-only key)', async () => {
    const dir = await freshDir('again');
    const args = ['wh', '--url', `${server.url}/api/v1`, '--ca-file', rootFile, '-t', '20s', '172.16.0.9'];
    expect((await runCliProcess(args, { cwd: dir })).code).toBe(0);
    const firstKey = await readFile(join(dir, 'server.key'), 'utf8');
    expect((await runCliProcess(args, { cwd: dir })).code).toBe(0);
    expect(await readFile(join(dir, 'server.key'), 'utf8')).not.toBe(firstKey);
    await expectWorkingPair(dir, 'server.crt', 'server.key', '172.16.0.9', '01');
  });

  it('refuses a non-private IP before sending anything', async () => {
    let requests = 0;
    const counter: Server = createServer((_req, res) => {
      requests++;
      res.end();
    });
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(counter.address() as AddressInfo).port}/api/v1`;
    try {
      const dir = await freshDir('public');
      for (const ip of ['8.8.8.8', '127.0.0.1', '100.64.0.1', '192.168.1.300', 'printer.local']) {
        const result = await runCliProcess(['private', '--url', url, ip], { cwd: dir });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(ip);
      }
      const publicIp = await runCliProcess(['webhooks', '--url', url, '8.8.8.8'], { cwd: dir });
      expect(publicIp.stderr).toMatch(/8\.8\.8\.8 is not a private IP address \(public address space\)/);
      await expect(access(join(dir, 'server.key'))).rejects.toThrow();
      expect(requests).toBe(0);
    } finally {
      counter.close();
    }
  });

  it('gives up after --timeout when the request stays pending', async () => {
    const slowDir = join(work.dir, 'slow-data');
    const slow = await startServeProcess(slowDir, ['--rate-limit', '0', '--sign-delay', '1h']);
    try {
      const dir = await freshDir('timeout');
      const result = await runCliProcess(['webhooks', '--url', `${slow.url}/api/v1`, '--ca-file', join(slowDir, 'ca/root.crt'), '-t', '1500ms', '192.168.1.20'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/timed out waiting for request REQ_[A-Z2-7]{26}; it is still pending/);
      await expect(access(join(dir, 'server.crt'))).rejects.toThrow();
    } finally {
      await slow.stop();
    }
  });

  it('reports a server refusal with its message (429 from the default rate limit)', async () => {
    const limitedDir = join(work.dir, 'limited-data');
    const limited = await startServeProcess(limitedDir);
    try {
      const dir = await freshDir('limited');
      const args = ['webhooks', '--url', `${limited.url}/api/v1`, '--ca-file', join(limitedDir, 'ca/root.crt'), '192.168.1.30'];
      expect((await runCliProcess(args, { cwd: dir })).code).toBe(0);
      const second = await runCliProcess(args, { cwd: dir });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/CSR submission failed \(HTTP 429\): too many requests/);
    } finally {
      await limited.stop();
    }
  });

  it('fails cleanly when the server certificate is not trusted', async () => {
    const dir = await freshDir('untrusted');
    // Without --ca-file the self-hosted root is not trusted: the TLS handshake fails, nothing is written.
    const untrusted = await runCliProcess(['webhooks', '--url', `${server.url}/api/v1`, '192.168.1.10'], { cwd: dir, env: { ...process.env, ASG_CA_CA_FILE: '' } });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate/i);
    await expect(access(join(dir, 'server.key'))).rejects.toThrow();
  });
});
