import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/cli.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { verifyServerChain } from '../support/openssl.js';
import { freePort } from '../support/acme-serve.js';
import { httpCall, pollUntilDecided, postJson, readRoot, startServeProcess, type CsrStatusBody } from '../support/serve-process.js';

/** Nothing acknowledged with 202 is lost when the process is killed with SIGKILL. */
let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  work = await makeTempDir();
});

afterAll(() => work.cleanup());


describe('durability across kill -9', () => {
  it('a request still pending when the process is killed is resumed and approved after restart', async () => {
    const dataDir = join(work.dir, 'pending');
    // --sign-delay keeps the request pending, so the kill certainly lands before signing.
    const first = await startServeProcess(dataDir, ['--rate-limit', '0', '--sign-delay', '1h']);
    const rootPem = await readRoot(dataDir);
    const submitted = await postJson(`${first.url}/api/v1/csr`, { content: buildCsr({ key: freshKey('p256'), ips: ['192.168.50.5'] }).pem }, rootPem);
    expect(submitted.status).toBe(202);
    const id = submitted.json<CsrStatusBody>().request_id;
    await first.stop('SIGKILL');
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await startServeProcess(dataDir, ['--rate-limit', '0']);
    try {
      const decided = (await pollUntilDecided(second.url, id, rootPem)).json<CsrStatusBody>();
      expect(decided).toMatchObject({ request_id: id, status: 'approved' });
      expect((await verifyServerChain(work.dir, decided.certificate!, rootPem, '192.168.50.5')).code).toBe(0);
    } finally {
      await second.stop();
    }
    // Signed exactly once, and every decision is in the audit log.
    const db = new BetterSqlite3(join(dataDir, 'smsgate-ca.db'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM certificates WHERE request_id = ?').get(id)).toEqual({ n: 1 });
    expect(db.prepare('SELECT event FROM audit_log WHERE request_id = ? ORDER BY sequence').all(id)).toEqual([{ event: 'submitted' }, { event: 'approved' }]);
    db.close();
  });

  it('a request killed right after its 202 is there after restart', async () => {
    const dataDir = join(work.dir, 'immediate');
    const first = await startServeProcess(dataDir, ['--rate-limit', '0']);
    const rootPem = await readRoot(dataDir);
    const submitted = await postJson(`${first.url}/api/v1/csr`, { content: buildCsr({ key: freshKey('p256'), ips: ['10.50.0.1'] }).pem }, rootPem);
    first.child.kill('SIGKILL');
    expect(submitted.status).toBe(202);
    await first.stop('SIGKILL');

    const second = await startServeProcess(dataDir, ['--rate-limit', '0']);
    try {
      const decided = await pollUntilDecided(second.url, submitted.json<CsrStatusBody>().request_id, rootPem);
      expect(decided.status).toBe(200);
      expect(decided.json<CsrStatusBody>().status).toBe('approved');
    } finally {
      await second.stop();
    }
  });

  it('a pending request the restarted server may no longer sign is denied with the reason', async () => {
    const dataDir = join(work.dir, 'narrowed');
    const first = await startServeProcess(dataDir, ['--rate-limit', '0', '--sign-delay', '1h']);
    const rootPem = await readRoot(dataDir);
    const submitted = await postJson(`${first.url}/api/v1/csr`, { content: buildCsr({ key: freshKey('p256'), ips: ['192.168.60.6'] }).pem }, rootPem);
    expect(submitted.status).toBe(202);
    await first.stop('SIGKILL');

    // Same CA, but now only 10/8 (and loopback, for the test client) may be certified.
    const metricsPort = await freePort();
    const second = await startServeProcess(dataDir, ['--rate-limit', '0', '--allowed-cidrs', '127.0.0.0/8,10.0.0.0/8', '--metrics-listen', `127.0.0.1:${metricsPort}`]);
    try {
      const decided = (await pollUntilDecided(second.url, submitted.json<CsrStatusBody>().request_id, rootPem)).json<CsrStatusBody>();
      expect(decided).toMatchObject({ status: 'denied', message: 'CSR denied. Please contact the administrator.' });
      expect(decided.reason).toMatch(/192\.168\.60\.6/);
      expect(decided.certificate).toBeUndefined();
      const metrics = await httpCall(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.text).toMatch(/smsgate_ca_certificate_requests_total\{door="rest",outcome="denied"\} 1/);
    } finally {
      await second.stop();
    }
  });
});
