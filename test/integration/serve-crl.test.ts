import { readFile, writeFile } from 'node:fs/promises';
import { Agent, get } from 'node:https';
import { join } from 'node:path';
import * as acme from 'acme-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueWithHttp01 } from '../support/acme-client-flow.js';
import { startHttp01Responder, type Http01Responder } from '../support/acme-responders.js';
import { freePort, startAcmeServe, type AcmeServe } from '../support/acme-serve.js';
import { certificateText, openssl, pemBlocks, verifyServerChain } from '../support/openssl.js';
import { httpCall } from '../support/serve-process.js';

/**
 * CRL publication end to end: `smsgate-ca serve --crl-url`, certificates obtained and revoked over
 * ACME (node acme-client), GET /crl and /crl.pem checked with openssl. The CDP URI names a DNS host
 * on purpose: the intermediate's name constraints exclude every DNS name, and they must not apply
 * to a distribution point. Nothing ever fetches that URL.
 */

const IP = '127.0.0.12';
const CRL_URL = 'http://crl.ca.internal:8080/crl';
let server: AcmeServe;
let http: Http01Responder;
let client: acme.Client;

beforeAll(async () => {
  const httpPort = await freePort(IP);
  server = await startAcmeServe({ http01Port: httpPort, tlsAlpn01Port: await freePort(), extraArgs: ['--crl-url', CRL_URL] });
  http = await startHttp01Responder(IP, httpPort);
  acme.axios.defaults.httpsAgent = new Agent({ ca: server.rootPem });
  client = new acme.Client({ directoryUrl: server.directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), backoffMin: 10, backoffMax: 100, backoffAttempts: 100 });
  await client.createAccount({ termsOfServiceAgreed: true });
});

afterAll(async () => {
  await http?.close();
  await server?.stop();
});

async function issue(): Promise<{ chain: string; leafPem: string; serial: string }> {
  return issueWithHttp01(client, IP, http);
}

/** GET over HTTPS trusting only the CA root, the body as bytes (httpCall decodes bodies as UTF-8). */
function getBytes(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { ca: server.rootPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/** GET /crl (DER) and GET /crl.pem: the same CRL in both forms. */
async function fetchCrl(): Promise<{ der: Buffer; etag: string; type: string | undefined }> {
  const result = await getBytes(`${server.serve.url}/crl`);
  expect(result.status).toBe(200);
  const pem = await httpCall(`${server.serve.url}/crl.pem`, { caPem: server.rootPem });
  expect(pem.status).toBe(200);
  expect(pem.headers['content-type']).toMatch(/^application\/x-pem-file/);
  expect(pem.text).toMatch(/^-----BEGIN X509 CRL-----\n[\s\S]+\n-----END X509 CRL-----\n$/);
  expect(Buffer.from(pem.text.replace(/-----[A-Z0-9 ]+-----|\n/g, ''), 'base64').equals(result.body)).toBe(true);
  return { der: result.body, etag: String(result.headers['etag']), type: result.headers['content-type'] as string | undefined };
}

async function crlText(file: string): Promise<string> {
  const text = await openssl(['crl', '-inform', 'DER', '-in', file, '-noout', '-text']);
  expect(text.code, text.stderr).toBe(0);
  return text.stdout;
}

function crlNumberOf(text: string): number {
  return Number(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(text)?.[1]);
}

describe('CRL publication (serve --crl-url)', () => {
  it('publishes an empty CRL, then the revoked serial with its reason; openssl verifies it and refuses the revoked leaf', async () => {
    const dir = server.dir;
    const first = await fetchCrl();
    expect(first.type).toBe('application/pkix-crl');
    await writeFile(join(dir, 'first.der'), first.der);
    const firstText = await crlText(join(dir, 'first.der'));
    expect(firstText).toContain('No Revoked Certificates.');

    const revoked = await issue();
    const kept = await issue();
    await client.revokeCertificate(revoked.chain, { reason: 1 });

    const second = await fetchCrl();
    expect(second.etag).not.toBe(first.etag);
    await writeFile(join(dir, 'crl.der'), second.der);
    const intermediatePem = pemBlocks(revoked.chain)[1]!;
    await writeFile(join(dir, 'bundle.pem'), server.rootPem + intermediatePem);
    const verified = await openssl(['crl', '-inform', 'DER', '-in', 'crl.der', '-CAfile', 'bundle.pem', '-verify', '-noout'], { cwd: dir });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toContain('verify OK');

    const text = await crlText(join(dir, 'crl.der'));
    expect(text).toContain('Version 2 (0x1)');
    const subject = await openssl(['x509', '-noout', '-subject'], { input: intermediatePem });
    const issuer = await openssl(['crl', '-inform', 'DER', '-in', 'crl.der', '-noout', '-issuer'], { cwd: dir });
    expect(issuer.stdout.replace(/^issuer=/, '')).toBe(subject.stdout.replace(/^subject=/, ''));
    expect(issuer.stdout).toMatch(/Intermediate CA/);
    expect(crlNumberOf(text)).toBeGreaterThan(crlNumberOf(firstText));
    expect(text).toContain(`Serial Number: ${revoked.serial}`);
    expect(text).toMatch(/X509v3 CRL Reason Code:\s*\n\s*Key Compromise/);
    expect(text).not.toContain(kept.serial);

    await writeFile(join(dir, 'crl.pem'), (await httpCall(`${server.serve.url}/crl.pem`, { caPem: server.rootPem })).text);
    await writeFile(join(dir, 'root.pem'), server.rootPem);
    await writeFile(join(dir, 'intermediate.pem'), intermediatePem);
    await writeFile(join(dir, 'revoked.pem'), revoked.leafPem);
    await writeFile(join(dir, 'kept.pem'), kept.leafPem);
    const verify = (leaf: string) =>
      openssl(['verify', '-x509_strict', '-crl_check', '-CRLfile', 'crl.pem', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', leaf], { cwd: dir });
    const refused = await verify('revoked.pem');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/certificate revoked/);
    const accepted = await verify('kept.pem');
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('kept.pem: OK');
  });

  it('answers 304 to a client that already holds the current CRL', async () => {
    const current = await httpCall(`${server.serve.url}/crl`, { caPem: server.rootPem });
    const again = await httpCall(`${server.serve.url}/crl`, { caPem: server.rootPem, headers: { 'If-None-Match': String(current.headers['etag']) } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(current.headers['cache-control']).toBe('public, no-cache');
  });

  it('puts the CRL Distribution Point into new leaves, which still pass openssl verify -x509_strict', async () => {
    const { chain, leafPem } = await issue();
    const text = await certificateText(server.dir, leafPem);
    expect(text).toMatch(/X509v3 CRL Distribution Points: ?\n\s*Full Name:\s*\n\s*URI:http:\/\/crl\.ca\.internal:8080\/crl/);
    expect(text).not.toMatch(/X509v3 CRL Distribution Points: critical/);
    const intermediate = await certificateText(server.dir, pemBlocks(chain)[1]!);
    expect(intermediate).toMatch(/X509v3 Name Constraints: critical[\s\S]*Excluded:[\s\S]*DNS:/);
    const verified = await verifyServerChain(server.dir, chain, server.rootPem, IP);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(await readFile(join(server.dir, 'verify-leaf.pem'), 'utf8')).toBe(leafPem);
  });
});
