import { readFile, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientCsr } from '../../src/ca/index.js';
import { makeAdminCa, sha256Fingerprint, type IssuedFiles, type TestAdminCa } from '../support/admin-client-pki.js';
import { makeTempDir, run, runCliProcess, type RunResult } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { verifyServerChain } from '../support/openssl.js';
import { httpCall, pollUntilDecided, readRoot, startServeProcess, type CsrStatusBody, type ServeProcess } from '../support/serve-process.js';

/**
 * --admin-client-ca end to end: the built server, certificates made by openssl, curl and node's
 * https client presenting them, and `smsgate-ca admin --client-cert`. Loopback only.
 */
const DAY_MS = 86_400_000;
const ADMIN_SUBJECT = 'CN=alice, O=Example Admins';

let work: { dir: string; cleanup: () => Promise<void> };
let server: ServeProcess;
let dataDir: string;
let rootFile: string;
let rootPem: string;
let tokenFile: string;
let tokenId: string;
let adminCa: TestAdminCa;
let alice: IssuedFiles;
let certs: Record<'otherCa' | 'serverOnly' | 'noEku' | 'expired', IssuedFiles>;

beforeAll(async () => {
  work = await makeTempDir();
  const now = Date.now();
  const current = { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 30 * DAY_MS) };
  adminCa = await makeAdminCa(join(work.dir, 'admin-ca'), '/CN=Example Admin CA/O=Example Admins');
  const otherCa = await makeAdminCa(join(work.dir, 'other-ca'), '/CN=Some Other CA/O=Elsewhere');
  alice = await adminCa.issue('alice', { subject: '/CN=alice/O=Example Admins', extendedKeyUsage: 'clientAuth', ...current });
  certs = {
    otherCa: await otherCa.issue('mallory', { subject: '/CN=mallory/O=Example Admins', extendedKeyUsage: 'clientAuth', ...current }),
    serverOnly: await adminCa.issue('server-only', { subject: '/CN=web/O=Example Admins', extendedKeyUsage: 'serverAuth', ...current }),
    noEku: await adminCa.issue('no-eku', { subject: '/CN=bob/O=Example Admins', ...current }),
    expired: await adminCa.issue('expired', { subject: '/CN=carol/O=Example Admins', extendedKeyUsage: 'clientAuth', notBefore: new Date(now - 60 * DAY_MS), notAfter: new Date(now - 30 * DAY_MS) }),
  };
  dataDir = join(work.dir, 'data');
  // requester: requests from 127.0.0.2 are signed at once (the REST door's round trip), those from 127.0.0.1 wait for an administrator.
  server = await startServeProcess(dataDir, ['--rate-limit', '0', '--rest-approval', 'requester', '--rest-trusted-requesters', '127.0.0.2', '--admin-client-ca', adminCa.certificate, '--log-level', 'info']);
  rootFile = join(dataDir, 'ca/root.crt');
  rootPem = await readRoot(dataDir);
  const created = await runCliProcess(['admin', 'token', 'create', '--data-dir', dataDir, '--name', 'ops-token']);
  expect(created.code, created.stderr).toBe(0);
  tokenFile = join(work.dir, 'ops.token');
  await writeFile(tokenFile, created.stdout, { mode: 0o600 });
  tokenId = /created admin token ([a-z0-9]+)/.exec(created.stderr)![1]!;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await work?.cleanup();
});

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly stderr: string;
}

/** curl, trusting only the CA root, presenting `client` when given; the last line of its output is the status. */
async function curl(path: string, options: { client?: IssuedFiles; args?: readonly string[] } = {}): Promise<Answer> {
  const result = await run('curl', [
    '-sS', '--cacert', rootFile, '-w', '\n%{http_code}',
    ...(options.client ? ['--cert', options.client.certificate, '--key', options.client.key] : []),
    ...(options.args ?? []),
    `${server.url}${path}`,
  ]);
  expect(result.code, result.stderr).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  const text = lines.join('\n');
  return { status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text }, stderr: result.stderr };
}

/** node's https client presenting a client certificate: the other real peer. */
async function nodePost(path: string, client: IssuedFiles, body: unknown): Promise<Answer> {
  const [cert, key] = await Promise.all([readFile(client.certificate, 'utf8'), readFile(client.key, 'utf8')]);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${server.url}${path}`, { method: 'POST', ca: rootPem, cert, key, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, stderr: '' }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function adminCli(args: readonly string[], credentials: readonly string[] = ['--client-cert', alice.certificate, '--client-key', alice.key]): Promise<RunResult> {
  return runCliProcess(['admin', ...args, '--url', `${server.url}/api/v1`, '--ca-file', rootFile, ...credentials]);
}

/** A CSR for `ip` sent from 127.0.0.1: it waits for an administrator. */
async function awaitingRequest(ip: string): Promise<string> {
  const submitted = await httpCall(`${server.url}/api/v1/csr`, { method: 'POST', body: JSON.stringify({ type: 'private_server', content: buildClientCsr(ip).csrPem }), headers: { 'Content-Type': 'application/json' }, caPem: rootPem });
  expect(submitted.status).toBe(202);
  const id = submitted.json<CsrStatusBody>().request_id;
  await eventually(async () => (await curl(`/api/v1/admin/requests/${id}`, { client: alice })).body['request'] !== undefined, `request ${id} stored`, 30_000, 100);
  expect((await curl(`/api/v1/admin/requests/${id}`, { client: alice })).body['request']).toMatchObject({ status: 'pending', awaiting_approval: true });
  return id;
}

interface AuditItem {
  event: string;
  actor?: string;
  request_id?: string;
  serial_number?: string;
}

async function auditFor(query: string): Promise<AuditItem[]> {
  return (await curl(`/api/v1/admin/audit?${query}`, { client: alice })).body['items'] as AuditItem[];
}

async function aliceActor(): Promise<string> {
  return `${ADMIN_SUBJECT} (certificate sha256:${(await sha256Fingerprint(alice.certificate)).slice(0, 16)})`;
}

describe('a client certificate from --admin-client-ca', () => {
  it('authenticates with curl: whoami names the subject, the SHA-256 fingerprint openssl computes, and the actor', async () => {
    const answer = await curl('/api/v1/admin/whoami', { client: alice });
    expect(answer.status).toBe(200);
    const fingerprint = await sha256Fingerprint(alice.certificate);
    expect(answer.body).toMatchObject({ method: 'client-certificate', subject: ADMIN_SUBJECT, fingerprint_sha256: fingerprint, actor: await aliceActor() });
    expect(server.output()).toContain('"adminClientCa":["CN=Example Admin CA, O=Example Admins"]');
  });

  it('smsgate-ca admin approve --client-cert approves a waiting request; the audit log names the certificate', async () => {
    const id = await awaitingRequest('10.0.0.8');
    const approved = await adminCli(['approve', id]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`^approved ${id}: certificate [0-9a-f]+ issued`));
    const decided = (await pollUntilDecided(server.url, id, rootPem)).json<CsrStatusBody>();
    expect(decided.status).toBe('approved');
    const verified = await verifyServerChain(work.dir, decided.certificate!, rootPem, '10.0.0.8');
    expect(verified.code, verified.stderr).toBe(0);
    const events = await auditFor(`request_id=${id}`);
    expect(events.find((item) => item.event === 'approved')?.actor).toBe(await aliceActor());
    expect(events.map((item) => item.event)).toEqual(expect.arrayContaining(['submitted', 'approved', 'issued']));
  });

  it("deny with node's https client and revoke with the CLI are audited with the certificate's subject", async () => {
    const id = await awaitingRequest('10.0.0.9');
    const denied = await nodePost(`/api/v1/admin/requests/${id}/deny`, alice, { reason: 'not one of our devices' });
    expect(denied.status).toBe(200);
    expect(denied.body['request']).toMatchObject({ status: 'denied', reason: 'not one of our devices', decided_by: await aliceActor() });
    expect((await auditFor(`request_id=${id}&event=denied`))[0]?.actor).toBe(await aliceActor());

    const listed = await adminCli(['list', 'certificates', '--ip', '10.0.0.8', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const serial = (JSON.parse(listed.stdout) as Array<{ serial_number: string }>)[0]!.serial_number;
    const revoked = await adminCli(['revoke', serial, '--reason', 'keyCompromise']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await auditFor(`serial_number=${serial}&event=revoked`))[0]?.actor).toBe(await aliceActor());
  });

  it.each([
    ['from a CA that is not in --admin-client-ca', 'otherCa', /CN=mallory, O=Example Admins is refused: it is not issued by a CA of --admin-client-ca/],
    ['with serverAuth only', 'serverOnly', /CN=web, O=Example Admins is refused: it has no clientAuth extended key usage/],
    ['with no extended key usage at all (OpenSSL alone would accept it)', 'noEku', /CN=bob, O=Example Admins is refused: it has no clientAuth extended key usage/],
    ['that has expired', 'expired', /CN=carol, O=Example Admins is refused: it expired at /],
  ] as const)('a certificate %s → 401 with the envelope and the reason', async (_name, which, reason) => {
    const answer = await curl('/api/v1/admin/requests', { client: certs[which] });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: { message: expect.stringMatching(reason), code: 401 } });
  });

  it('the CLI with a refused certificate exits 2 with the reason', async () => {
    const result = await adminCli(['list'], ['--client-cert', certs.expired.certificate, '--client-key', certs.expired.key]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/HTTP 401.*CN=carol.*expired at/);
  });
});

describe('certificates and bearer tokens together', () => {
  it('no certificate and no token → 401 naming both ways', async () => {
    const answer = await curl('/api/v1/admin/requests');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: { message: expect.stringMatching(/bearer token is required.*or a client certificate from --admin-client-ca/), code: 401 } });
  });

  it('a bearer token alone still works; with a valid certificate too, the token names the actor', async () => {
    const token = (await readFile(tokenFile, 'utf8')).trim();
    const alone = await curl('/api/v1/admin/whoami', { args: ['-H', `Authorization: Bearer ${token}`] });
    expect(alone.body).toEqual({ method: 'bearer-token', token_id: tokenId, name: 'ops-token', actor: `ops-token (${tokenId})` });
    const both = await curl('/api/v1/admin/whoami', { client: alice, args: ['-H', `Authorization: Bearer ${token}`] });
    expect(both.body).toMatchObject({ method: 'bearer-token', token_id: tokenId });
    const cli = await adminCli(['list', '--pending'], ['--token-file', tokenFile]);
    expect(cli.code, cli.stderr).toBe(0);
  });

  it('a wrong token is 401 even over a valid certificate; a refused certificate is 401 even with a valid token', async () => {
    const token = (await readFile(tokenFile, 'utf8')).trim();
    const wrongToken = await curl('/api/v1/admin/whoami', { client: alice, args: ['-H', `Authorization: Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`] });
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.body).toEqual({ error: { message: 'the bearer token is not valid: unknown, mistyped or revoked', code: 401 } });
    const expiredCertificate = await curl('/api/v1/admin/whoami', { client: certs.expired, args: ['-H', `Authorization: Bearer ${token}`] });
    expect(expiredCertificate.status).toBe(401);
    expect(String((expiredCertificate.body['error'] as { message: string }).message)).toMatch(/expired at/);
  });

  it('a change authenticated by a certificate alone must be JSON (no cross-site form can make it): 415 otherwise, and nothing changes', async () => {
    const id = await awaitingRequest('10.0.0.10');
    const form = await curl(`/api/v1/admin/requests/${id}/approve`, { client: alice, args: ['-X', 'POST', '-H', 'Content-Type: application/x-www-form-urlencoded', '-d', 'x=1'] });
    expect(form.status).toBe(415);
    expect(form.body).toEqual({ error: { message: expect.stringMatching(/Content-Type: application\/json/), code: 415 } });
    expect((await curl(`/api/v1/admin/requests/${id}`, { client: alice })).body['request']).toMatchObject({ awaiting_approval: true });
    const json = await curl(`/api/v1/admin/requests/${id}/approve`, { client: alice, args: ['-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{}'] });
    expect(json.status).toBe(200);
  });
});

describe('the other doors with --admin-client-ca on (clients without a certificate)', () => {
  it('REST: a CSR round trip with curl from 127.0.0.2 (trusted requester) is signed; openssl verifies the chain', async () => {
    const csr = buildClientCsr('10.0.0.20');
    const submitted = await curl('/api/v1/csr', { args: ['--interface', '127.0.0.2', '-H', 'Content-Type: application/json', '-d', JSON.stringify({ type: 'private_server', content: csr.csrPem })] });
    expect(submitted.status).toBe(202);
    const decided = (await pollUntilDecided(server.url, String(submitted.body['request_id']), rootPem)).json<CsrStatusBody>();
    expect(decided.status).toBe('approved');
    const verified = await verifyServerChain(work.dir, decided.certificate!, rootPem, '10.0.0.20');
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('ACME: the directory and a fresh nonce, fetched by curl', async () => {
    const directory = await curl('/acme/directory');
    expect(directory.status).toBe(200);
    expect(directory.body).toMatchObject({ newNonce: expect.stringMatching(/\/acme\/new-nonce$/), newAccount: expect.any(String), newOrder: expect.any(String) });
    const nonce = await run('curl', ['-sS', '--cacert', rootFile, '-I', String(directory.body['newNonce'])]);
    expect(nonce.code, nonce.stderr).toBe(0);
    expect(nonce.stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(nonce.stdout).toMatch(/replay-nonce: [A-Za-z0-9_-]{16,}/i);
  });

  it('the handshake asks for a certificate from the admin CA by name (what a browser uses to offer one)', async () => {
    const handshake = await run('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-CAfile', rootFile], { input: '' });
    expect(handshake.stdout).toMatch(/Acceptable client certificate CA names\n\/?CN ?= ?Example Admin CA, O ?= ?Example Admins/);
    expect(handshake.stdout).toMatch(/Verify return code: 0 \(ok\)/);
  });
});

describe('smsgate-ca admin credentials (exit 1 for bad arguments)', () => {
  it.each([
    ['--client-cert without --client-key', () => ['--client-cert', alice.certificate], /--client-cert and --client-key must be given together/],
    ['a key that is not the certificate\'s', () => ['--client-cert', alice.certificate, '--client-key', certs.expired.key], /is not the key of --client-cert/],
    ['a certificate file that is not PEM', () => ['--client-cert', adminCa.key, '--client-key', alice.key], /is not a PEM certificate/],
    ['neither a token nor a certificate', () => [], /give --token-file FILE, or --client-cert FILE --client-key FILE/],
  ] as const)('%s', async (_name, credentials, message) => {
    const result = await adminCli(['list'], credentials());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});

describe('serve refuses at start, before it listens', () => {
  it("this CA's own root as the admin CA: exit 1 and why (anyone may get a certificate from this CA)", async () => {
    const own = join(work.dir, 'own');
    const init = await runCliProcess(['init', '--data-dir', own]);
    expect(init.code, init.stderr).toBe(0);
    const refused = await runCliProcess(['serve', '--data-dir', own, '--listen', '127.0.0.1:0', '--admin-client-ca', join(own, 'ca/root.crt')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--admin-client-ca .*root\.crt holds this CA's own .*anyone may get one from the REST door/);
    expect(refused.stdout).not.toMatch(/listening on/);
  });

  it.each([
    ['a missing file', () => ['--admin-client-ca', join(work.dir, 'absent.pem')], /cannot read --admin-client-ca .*absent\.pem: ENOENT/],
    ['a client certificate instead of a CA', () => ['--admin-client-ca', alice.certificate], /certificate 1 \(CN=alice, O=Example Admins\) is not a CA certificate/],
    ['plain HTTP (--insecure-http)', () => ['--admin-client-ca', adminCa.certificate, '--insecure-http'], /admin-client-ca needs this server to terminate TLS/],
  ] as const)('%s: exit 1 and the reason', async (_name, args, message) => {
    const refused = await runCliProcess(['serve', '--data-dir', join(work.dir, 'refused'), '--listen', '127.0.0.1:0', ...args()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(message);
  });
});
