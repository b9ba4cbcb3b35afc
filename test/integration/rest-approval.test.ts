import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientCsr } from '../../src/ca/index.js';
import { CLI_ENTRY, makeTempDir, runCliProcess, type RunResult } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { certificateText, openssl, verifyServerChain } from '../support/openssl.js';
import { httpCall, pollUntilDecided, readRoot, startServeProcess, type CsrStatusBody, type HttpResult, type ServeProcess } from '../support/serve-process.js';

/**
 * --rest-approval requester and manual, end to end: the built server, CSRs sent from chosen
 * loopback addresses, the project's SMSGate-style client waiting, and `smsgate-ca admin` deciding.
 */
interface CaUnderTest {
  readonly server: ServeProcess;
  readonly dataDir: string;
  readonly rootPem: string;
  readonly rootFile: string;
  /** A file holding a valid admin token for "alice". */
  readonly tokenFile: string;
  readonly tokenId: string;
}

let work: { dir: string; cleanup: () => Promise<void> };
let requester: CaUnderTest;
let manual: CaUnderTest;

async function startCa(name: string, policy: 'requester' | 'manual'): Promise<CaUnderTest> {
  const dataDir = join(work.dir, name);
  const server = await startServeProcess(dataDir, ['--rate-limit', '0', '--rest-approval', policy]);
  // Created while the server runs: it reads tokens from the store on every request.
  const created = await runCliProcess(['admin', 'token', 'create', '--data-dir', dataDir, '--name', 'alice']);
  expect(created.code, created.stderr).toBe(0);
  const tokenFile = join(work.dir, `${name}.token`);
  await writeFile(tokenFile, created.stdout, { mode: 0o600 });
  const tokenId = /created admin token ([a-z0-9]+)/.exec(created.stderr)![1]!;
  return { server, dataDir, rootPem: await readRoot(dataDir), rootFile: join(dataDir, 'ca/root.crt'), tokenFile, tokenId };
}

beforeAll(async () => {
  work = await makeTempDir();
  [requester, manual] = await Promise.all([startCa('requester', 'requester'), startCa('manual', 'manual')]);
}, 120_000);

afterAll(async () => {
  await Promise.all([requester?.server.stop(), manual?.server.stop()]);
  await work?.cleanup();
});

function submitFrom(ca: CaUnderTest, localAddress: string, csrPem: string): Promise<HttpResult> {
  return httpCall(`${ca.server.url}/api/v1/csr`, {
    method: 'POST',
    body: JSON.stringify({ type: 'private_server', content: csrPem }),
    headers: { 'Content-Type': 'application/json' },
    caPem: ca.rootPem,
    localAddress,
  });
}

async function statusOf(ca: CaUnderTest, id: string): Promise<CsrStatusBody> {
  return (await httpCall(`${ca.server.url}/api/v1/csr/${id}`, { caPem: ca.rootPem })).json<CsrStatusBody>();
}

function admin(ca: CaUnderTest, args: readonly string[], tokenFile = ca.tokenFile): Promise<RunResult> {
  return runCliProcess(['admin', ...args, '--url', `${ca.server.url}/api/v1`, '--ca-file', ca.rootFile, '--token-file', tokenFile]);
}

function adminGet(ca: CaUnderTest, path: string, token?: string): Promise<HttpResult> {
  return httpCall(`${ca.server.url}/api/v1/admin/${path}`, { caPem: ca.rootPem, ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }) });
}

async function tokenOf(ca: CaUnderTest): Promise<string> {
  return (await readFile(ca.tokenFile, 'utf8')).trim();
}

interface AuditItem {
  event: string;
  request_id?: string;
  serial_number?: string;
  actor?: string;
  detail?: string;
}

async function auditOf(ca: CaUnderTest, query: string): Promise<AuditItem[]> {
  return (await adminGet(ca, `audit?${query}`, await tokenOf(ca))).json<{ items: AuditItem[] }>().items;
}

/** The SMSGate-style client, running until it has its certificate (or gives up). */
function startClient(ca: CaUnderTest, command: 'webhooks' | 'private', ip: string, dir: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_ENTRY, command, '--url', `${ca.server.url}/api/v1`, '--ca-file', ca.rootFile, '-t', '120s', '--out', join(dir, `${ip}.crt`), '--keyout', join(dir, `${ip}.key`), ip]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The id of the one request awaiting approval for `ip`, once the server has it. */
async function awaitingRequestFor(ca: CaUnderTest, ip: string): Promise<string> {
  const token = await tokenOf(ca);
  await eventually(async () => (await adminGet(ca, `requests?awaiting_approval=true&ip=${ip}`, token)).json<{ items: unknown[] }>().items.length > 0, `a request for ${ip} awaiting approval`, 60_000, 200);
  const listed = await admin(ca, ['list', '--pending', '--ip', ip, '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  const items = JSON.parse(listed.stdout) as Array<{ request_id: string; awaiting_approval: boolean; status: string }>;
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({ awaiting_approval: true, status: 'pending' });
  return items[0]!.request_id;
}

describe('--rest-approval requester', () => {
  const csr = buildClientCsr('127.0.0.5');

  it('approves a CSR for 127.0.0.5 sent from 127.0.0.5 at once, with no administrator', async () => {
    const submitted = await submitFrom(requester, '127.0.0.5', csr.csrPem);
    expect(submitted.status).toBe(202);
    const decided = (await pollUntilDecided(requester.server.url, submitted.json<CsrStatusBody>().request_id, requester.rootPem)).json<CsrStatusBody>();
    expect(decided.status).toBe('approved');
    expect((await verifyServerChain(work.dir, decided.certificate!, requester.rootPem, '127.0.0.5')).code).toBe(0);
    const [approved] = await auditOf(requester, `request_id=${decided.request_id}&event=approved`);
    expect(approved).toMatchObject({ event: 'approved', request_id: decided.request_id });
    expect(approved!.actor).toBeUndefined();
  });

  it('keeps the same CSR sent from 127.0.0.1 pending until `admin approve`, then signs it', async () => {
    const submitted = await submitFrom(requester, '127.0.0.1', csr.csrPem);
    expect(submitted.status).toBe(202);
    const id = submitted.json<CsrStatusBody>().request_id;
    // A later request the policy approves is signed, and this one is still pending: it is not merely queued.
    const later = await submitFrom(requester, '127.0.0.6', buildClientCsr('127.0.0.6').csrPem);
    expect((await pollUntilDecided(requester.server.url, later.json<CsrStatusBody>().request_id, requester.rootPem)).json<CsrStatusBody>().status).toBe('approved');
    expect(await statusOf(requester, id)).toMatchObject({ status: 'pending', message: 'CSR submitted successfully. Await processing.' });
    expect(await awaitingRequestFor(requester, '127.0.0.5')).toBe(id);

    const approved = await admin(requester, ['approve', id]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`^approved ${id}: certificate [0-9a-f]+ issued`));
    const decided = await statusOf(requester, id);
    expect(decided.status).toBe('approved');
    expect((await verifyServerChain(work.dir, decided.certificate!, requester.rootPem, '127.0.0.5')).code).toBe(0);

    const again = await admin(requester, ['approve', id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/HTTP 409.*not waiting for an administrator: it is approved/);
    const entries = await auditOf(requester, `request_id=${id}`);
    expect(entries.map((entry) => entry.event)).toEqual(['issued', 'approved', 'submitted']);
    expect(entries[1]!.actor).toBe(`alice (${requester.tokenId})`);
    expect(entries[2]!.detail).toMatch(/waiting for an administrator: rest-approval requester: the client 127\.0\.0\.1 is not the address it asks for/);
  });

  it('the SMSGate-style client keeps polling a waiting request and writes its certificate once an administrator approves', async () => {
    // The client asks for a private address (it refuses loopback, as the SMSGate CLI does), from 127.0.0.1.
    const client = startClient(requester, 'webhooks', '10.0.0.5', work.dir);
    const id = await awaitingRequestFor(requester, '10.0.0.5');
    expect((await admin(requester, ['approve', id])).code).toBe(0);
    const done = await client;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain(`CSR submitted, request ID: ${id}`);
    expect(await certificateText(work.dir, await readFile(join(work.dir, '10.0.0.5.crt'), 'utf8'))).toContain('IP Address:10.0.0.5');
  });
});

describe('--rest-approval manual', () => {
  it('keeps even a device asking for itself pending; `admin deny` ends the waiting client with the reason', async () => {
    const own = await submitFrom(manual, '127.0.0.7', buildClientCsr('127.0.0.7').csrPem);
    expect(await awaitingRequestFor(manual, '127.0.0.7')).toBe(own.json<CsrStatusBody>().request_id);

    const client = startClient(manual, 'private', '10.0.0.6', work.dir);
    const id = await awaitingRequestFor(manual, '10.0.0.6');
    const denied = await admin(manual, ['deny', id, '--reason', 'not on the device inventory']);
    expect(denied.code, denied.stderr).toBe(0);
    const done = await client;
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(`request ${id} was denied: CSR denied. Please contact the administrator. (not on the device inventory)`);
    expect(await statusOf(manual, id)).toMatchObject({ status: 'denied', reason: 'not on the device inventory' });
    const [entry] = await auditOf(manual, `request_id=${id}&event=denied`);
    expect(entry).toMatchObject({ actor: `alice (${manual.tokenId})`, detail: 'not on the device inventory' });
  });

  it('`admin approve` signs a waiting request; `admin revoke` revokes the certificate, audited, and the CRL lists it', async () => {
    const submitted = await submitFrom(manual, '127.0.0.1', buildClientCsr('127.0.0.8').csrPem);
    const id = submitted.json<CsrStatusBody>().request_id;
    expect((await admin(manual, ['approve', id])).stdout).toMatch(/issued/);
    const { request } = (await adminGet(manual, `requests/${id}`, await tokenOf(manual))).json<{ request: { status: string; serial_number: string; decided_by: string } }>();
    expect(request).toMatchObject({ status: 'approved', decided_by: `alice (${manual.tokenId})` });
    const serial = request.serial_number;

    const listed = await admin(manual, ['list', 'certificates', '--ip', '127.0.0.8']);
    expect(listed.stdout).toMatch(new RegExp(`^${serial}\\s+valid\\s+rest\\s+private_server\\s+127\\.0\\.0\\.8`, 'm'));
    const revoked = await admin(manual, ['revoke', serial, '--reason', 'keyCompromise']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`revoked ${serial} (keyCompromise)`);
    expect((await admin(manual, ['revoke', serial])).stderr).toMatch(/HTTP 409.*already revoked/);
    const [entry] = await auditOf(manual, `serial_number=${serial}&event=revoked`);
    expect(entry).toMatchObject({ actor: `alice (${manual.tokenId})`, detail: expect.stringMatching(/reason keyCompromise \(1\); authorised as an administrator/) as unknown });

    const crl = await httpCall(`${manual.server.url}/crl.pem`, { caPem: manual.rootPem });
    await writeFile(join(work.dir, 'manual.crl'), crl.text);
    const text = await openssl(['crl', '-inform', 'PEM', '-in', join(work.dir, 'manual.crl'), '-noout', '-text']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.toUpperCase()).toContain(serial.toUpperCase());
  });
});

describe('admin API authentication', () => {
  it.each([
    ['no Authorization header', undefined, /an admin bearer token is required/],
    ['a token that was never issued', 'sgca_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', /not valid/],
    ['a malformed token', 'hunter2', /not valid/],
  ])('%s → 401 with the error envelope and a Bearer challenge', async (_name, token, message) => {
    const answer = await adminGet(requester, 'requests', token);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="smsgate-ca admin"/);
    const body = answer.json<{ error: { message: string; code: number } }>();
    expect(body.error.code).toBe(401);
    expect(body.error.message).toMatch(message);
  });

  it('a real token with one character changed → 401; a revoked token → 401, by the API and the CLI', async () => {
    const token = await tokenOf(requester);
    const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await adminGet(requester, 'whoami', altered)).status).toBe(401);

    const created = await runCliProcess(['admin', 'token', 'create', '--data-dir', requester.dataDir, '--name', 'bob']);
    const bobFile = join(work.dir, 'bob.token');
    await writeFile(bobFile, created.stdout, { mode: 0o600 });
    const bobId = /created admin token ([a-z0-9]+)/.exec(created.stderr)![1]!;
    expect((await adminGet(requester, 'whoami', created.stdout.trim())).json()).toEqual({ method: 'bearer-token', token_id: bobId, name: 'bob', actor: `bob (${bobId})` });

    expect((await runCliProcess(['admin', 'token', 'revoke', bobId, '--data-dir', requester.dataDir])).code).toBe(0);
    const listed = await runCliProcess(['admin', 'token', 'list', '--data-dir', requester.dataDir]);
    expect(listed.stdout).toMatch(new RegExp(`^${bobId}\\s+\\S+\\s+revoked\\s+bob$`, 'm'));
    expect(listed.stdout).not.toContain(created.stdout.trim());
    const answer = await adminGet(requester, 'whoami', created.stdout.trim());
    expect(answer.status).toBe(401);
    expect(answer.json()).toEqual({ error: { message: 'the bearer token is not valid: unknown, mistyped or revoked', code: 401 } });
    const cli = await admin(requester, ['list'], bobFile);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/HTTP 401/);
  });

  it.each([
    ['approve without an id', ['approve']],
    ['deny without --reason', ['deny', 'REQ_MZXW6YTBOI3DSNBVGQ2DQMJXGA']],
    ['an unknown action', ['promote', 'x']],
    ['an unknown list', ['list', 'users']],
  ])('%s → exit code 1', async (_name, args) => {
    const result = await admin(requester, args);
    expect(result.code, result.stderr).toBe(1);
  });

  it('an unreachable server → exit code 2', async () => {
    const result = await runCliProcess(['admin', 'list', '--url', 'http://127.0.0.1:9/api/v1', '--token-file', requester.tokenFile]);
    expect(result.code).toBe(2);
  });
});
