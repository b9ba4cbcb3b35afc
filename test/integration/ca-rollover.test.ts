import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir } from '../support/cli.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { certificateText, openssl, pemBlocks, verifyServerChain } from '../support/openssl.js';
import { httpCall, pollUntilDecided, postJson, type CsrStatusBody } from '../support/serve-process.js';
import { ManualClock } from '../support/manual-clock.js';

/**
 * Intermediate rollover with an injected clock: the data directory's CA (root key online) is
 * rolled over by the server itself at 2/3 of the intermediate's life, not a day before; leaves
 * after it chain to the new intermediate, leaves before still verify (openssl, as of the injected
 * time), and the former intermediate's CRL is still served with its revocations.
 */
const DAY = 24 * 60 * 60 * 1000;
const CRL_URL = 'http://crl.ca.internal:8080/crl';

let work: { dir: string; cleanup: () => Promise<void> };
let server: RunningCaServer;
let dataDir: string;
let rootPem: string;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  work = await makeTempDir();
  dataDir = join(work.dir, 'data');
  const config = buildServeConfig({ 'data-dir': dataDir, listen: '127.0.0.1:0', 'insecure-http': true, 'rate-limit': '0', 'log-level': 'silent', 'crl-url': CRL_URL });
  server = await startServer(config, { clock, logger: silentLogger(), version: 'test' });
  rootPem = await readFile(join(dataDir, 'ca/root.crt'), 'utf8');
});

afterAll(async () => {
  await server?.close();
  await work?.cleanup();
});

async function issue(ip: string): Promise<string> {
  const submitted = await postJson(`${server.url}/api/v1/csr`, { type: 'private_server', content: buildCsr({ key: freshKey('p256'), ips: [ip] }).pem });
  expect(submitted.status, submitted.text).toBe(202);
  const decided = await pollUntilDecided(server.url, submitted.json<CsrStatusBody>().request_id, '');
  const body = decided.json<CsrStatusBody>();
  expect(body.status, body.message).toBe('approved');
  return body.certificate!;
}

function intermediateOf(chainPem: string): X509Certificate {
  return new X509Certificate(pemBlocks(chainPem)[1]!);
}

describe('intermediate rollover at 2/3 of its life', () => {
  let first: X509Certificate;
  let rolloverAt: Date;
  let before: string;
  let revokedBefore: string;
  let after: string;

  it('does nothing one day before the configured point, then rolls over at it', async () => {
    first = new X509Certificate(await readFile(join(dataDir, 'ca/intermediate.crt'), 'utf8'));
    const start = new Date(first.validFrom).getTime();
    const end = new Date(first.validTo).getTime();
    rolloverAt = new Date(start + Math.ceil(((end - start) * 2) / 3 / 1000) * 1000);

    clock.set(new Date(rolloverAt.getTime() - DAY));
    await server.upkeep.check();
    expect(new X509Certificate(await readFile(join(dataDir, 'ca/intermediate.crt'), 'utf8')).fingerprint256).toBe(first.fingerprint256);
    before = await issue('10.0.0.5');
    revokedBefore = await issue('10.0.0.6');
    expect(intermediateOf(before).fingerprint256).toBe(first.fingerprint256);
    const serial = new X509Certificate(pemBlocks(revokedBefore)[0]!).serialNumber.toLowerCase();
    expect(await server.issuance.recordRevocation({ door: 'rest', requester: 'test', serialNumber: serial, reason: 1 })).toBe(true);

    clock.set(rolloverAt);
    await server.upkeep.check();
    const second = new X509Certificate(await readFile(join(dataDir, 'ca/intermediate.crt'), 'utf8'));
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    expect(second.checkIssued(new X509Certificate(rootPem))).toBe(true);
    expect(second.verify(new X509Certificate(rootPem).publicKey)).toBe(true);
    expect(new Date(second.validTo).getTime()).toBeGreaterThan(new Date(first.validTo).getTime());
  });

  it('signs leaves after it with the new intermediate; they and the earlier ones pass openssl verify', async () => {
    after = await issue('10.0.0.7');
    const second = new X509Certificate(await readFile(join(dataDir, 'ca/intermediate.crt'), 'utf8'));
    expect(intermediateOf(after).fingerprint256).toBe(second.fingerprint256);
    const verifiedAfter = await verifyServerChain(work.dir, after, rootPem, '10.0.0.7', clock.now());
    expect(verifiedAfter.code, verifiedAfter.stderr).toBe(0);
    const verifiedBefore = await verifyServerChain(work.dir, before, rootPem, '10.0.0.5', clock.now());
    expect(verifiedBefore.code, verifiedBefore.stderr).toBe(0);
    // Each leaf names its own intermediate's CRL.
    const cdp = async (chain: string) => /URI:(\S+)/.exec((await certificateText(work.dir, pemBlocks(chain)[0]!)).split('CRL Distribution Points')[1] ?? '')?.[1];
    expect(await cdp(before)).toMatch(new RegExp(`^${CRL_URL}/[0-9a-f]{40}$`));
    expect(await cdp(after)).toMatch(new RegExp(`^${CRL_URL}/[0-9a-f]{40}$`));
    expect(await cdp(after)).not.toBe(await cdp(before));
  });

  it('serves the new chain at /api/v1/ca', async () => {
    const bundle = (await httpCall(`${server.url}/api/v1/ca`)).json<{ root: string; chain: string }>();
    expect(bundle.root).toBe(rootPem);
    expect(new X509Certificate(bundle.chain).fingerprint256).toBe(intermediateOf(after).fingerprint256);
  });

  it("still serves the former intermediate's CRL, signed by it, with the revocation; /crl is the new one's", async () => {
    const oldUrl = /URI:(\S+)/.exec((await certificateText(work.dir, pemBlocks(before)[0]!)).split('CRL Distribution Points')[1] ?? '')![1]!;
    const path = new URL(oldUrl).pathname;
    const oldCrl = await fetch(`${server.url}${path}`);
    expect(oldCrl.status).toBe(200);
    await writeFile(join(work.dir, 'old.crl'), Buffer.from(await oldCrl.arrayBuffer()));
    await writeFile(join(work.dir, 'old-ca.pem'), pemBlocks(before)[1]! + rootPem);
    const verified = await openssl(['crl', '-inform', 'DER', '-in', 'old.crl', '-CAfile', 'old-ca.pem', '-verify', '-noout', '-text'], { cwd: work.dir });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toContain('verify OK');
    const revokedSerial = new X509Certificate(pemBlocks(revokedBefore)[0]!).serialNumber.toUpperCase();
    expect(verified.stdout.replace(/[\s:]/g, '').toUpperCase()).toContain(revokedSerial);

    const current = await fetch(`${server.url}/crl`);
    await writeFile(join(work.dir, 'new.crl'), Buffer.from(await current.arrayBuffer()));
    await writeFile(join(work.dir, 'new-ca.pem'), pemBlocks(after)[1]! + rootPem);
    const newVerified = await openssl(['crl', '-inform', 'DER', '-in', 'new.crl', '-CAfile', 'new-ca.pem', '-verify', '-noout', '-text'], { cwd: work.dir });
    expect(newVerified.code, newVerified.stderr).toBe(0);
    expect(newVerified.stdout.replace(/[\s:]/g, '').toUpperCase()).not.toContain(revokedSerial);
  });

  it('keeps both intermediates across a restart (the archive in ca/intermediates/)', async () => {
    await server.close();
    server = await startServer(buildServeConfig({ 'data-dir': dataDir, listen: '127.0.0.1:0', 'insecure-http': true, 'rate-limit': '0', 'log-level': 'silent', 'crl-url': CRL_URL }), { clock, logger: silentLogger(), version: 'test' });
    expect(server.live.loaded?.hierarchy.former.map((former) => new X509Certificate(former.signerCertificatePem).fingerprint256)).toEqual([first.fingerprint256]);
    const again = await issue('10.0.0.8');
    expect(intermediateOf(again).fingerprint256).toBe(intermediateOf(after).fingerprint256);
  });
});
