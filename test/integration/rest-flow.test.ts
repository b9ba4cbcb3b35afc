import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir } from '../support/cli.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { certificateText, pemBlocks, verifyServerChain } from '../support/openssl.js';
import { httpCall, pollUntilDecided, postJson, readRoot, type CsrStatusBody } from '../support/serve-process.js';

let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  work = await makeTempDir();
});

afterAll(() => work.cleanup());


describe('submit and poll', () => {
  let server: RunningCaServer;
  let rootPem: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = join(work.dir, 'flow');
    server = await startServer(buildServeConfig({ 'data-dir': dataDir, listen: '127.0.0.1:0', 'rate-limit': '0', 'log-level': 'silent' }), { logger: silentLogger(), version: 'test' });
    rootPem = await readRoot(dataDir);
  });

  afterAll(() => server?.close());

  it('202 with the SMSGate body and a Location, then 200 approved with leaf + intermediate', async () => {
    const submitted = await postJson(`${server.url}/api/v1/csr`, { type: 'private_server', content: buildCsr({ key: freshKey('p256'), ips: ['10.0.0.5'] }).pem, metadata: { device: 'pixel-7' } }, rootPem);
    expect(submitted.status).toBe(202);
    const body = submitted.json<CsrStatusBody>();
    expect(body).toEqual({ request_id: body.request_id, type: 'private_server', status: 'pending', message: 'CSR submitted successfully. Await processing.' });
    expect(submitted.headers['location']).toBe(`/api/v1/csr/${body.request_id}`);

    const decided = await pollUntilDecided(server.url, body.request_id, rootPem);
    expect(decided.status).toBe(200);
    const status = decided.json<CsrStatusBody>();
    expect(status).toMatchObject({ request_id: body.request_id, type: 'private_server', status: 'approved', message: 'CSR approved. The certificate is ready for download.' });
    const blocks = pemBlocks(status.certificate!);
    expect(blocks).toHaveLength(2);
    expect(blocks[1]).toBe(await readFile(join(dataDir, 'ca/intermediate.crt'), 'utf8'));
    const verify = await verifyServerChain(work.dir, status.certificate!, rootPem, '10.0.0.5');
    expect(verify.code).toBe(0);
    expect(await certificateText(work.dir, blocks[0]!)).toMatch(/Serial Number:\s*\n\s*02:/);
  });

  it('GET /api/v1/ca returns the root and the chain that follows leaves', async () => {
    const result = await httpCall(`${server.url}/api/v1/ca`, { caPem: rootPem });
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({ root: rootPem, chain: await readFile(join(dataDir, 'ca/intermediate.crt'), 'utf8') });
    const rootFile = await httpCall(`${server.url}/api/v1/ca/root.crt`, { caPem: rootPem });
    expect(rootFile.headers['content-type']).toMatch(/application\/x-pem-file/);
    expect(rootFile.text).toBe(rootPem);
  });
});

describe('resubmission while pending', () => {
  it('returns the existing request for the same CSR and type', async () => {
    const dataDir = join(work.dir, 'resubmit');
    const server = await startServer(buildServeConfig({ 'data-dir': dataDir, listen: '127.0.0.1:0', 'rate-limit': '0', 'sign-delay': '1h', 'log-level': 'silent' }), {
      logger: silentLogger(),
      version: 'test',
    });
    try {
      const rootPem = await readRoot(dataDir);
      const content = buildCsr({ key: freshKey('p256'), ips: ['172.16.5.5'] }).pem;
      const first = await postJson(`${server.url}/api/v1/csr`, { content }, rootPem);
      const again = await postJson(`${server.url}/api/v1/csr`, { content: content.replaceAll('\n', '\r\n') }, rootPem);
      const otherType = await postJson(`${server.url}/api/v1/csr`, { content, type: 'private_server' }, rootPem);
      expect([first.status, again.status, otherType.status]).toEqual([202, 202, 202]);
      const id = first.json<CsrStatusBody>().request_id;
      expect(again.json<CsrStatusBody>()).toMatchObject({ request_id: id, status: 'pending' });
      expect(otherType.json<CsrStatusBody>().request_id).not.toBe(id);
      expect((await httpCall(`${server.url}/api/v1/csr/${id}`, { caPem: rootPem })).json<CsrStatusBody>().status).toBe('pending');
    } finally {
      await server.close();
    }
  });
});
