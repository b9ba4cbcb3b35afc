import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { X509Certificate } from '@peculiar/x509';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT, runCliProcess } from '../support/cli.js';
import { buildCsr, concat, derBoolean, derNull, extension, gn, OIDS, seq } from '../support/csr-factory.js';
import { openssl, pemBlocks } from '../support/openssl.js';
import { pollUntilDecided, postJson, readRoot, startServeProcess, type CsrStatusBody, type ServeProcess } from '../support/serve-process.js';

/**
 * The real SMSGate command-line client's CSR (a copy of ../shared/fixtures/smsgate-cli-192.168.1.10.csr):
 * its extKeyUsage value is `30 06 06 04 2b 06 01 05` plus the stray bytes `05 07 03 01`.
 */
const CLIENT_CSR_FILE = join(REPO_ROOT, 'test/fixtures/csr/smsgate-cli-192.168.1.10.csr');
const IP = '192.168.1.10';
const SERVER_AUTH_EKU = '300a06082b06010505070301';

let work: { dir: string; cleanup: () => Promise<void> };
let server: ServeProcess;
let dataDir: string;
let rootPem: string;
let clientCsr: string;

beforeAll(async () => {
  work = await makeTempDir();
  dataDir = join(work.dir, 'data');
  server = await startServeProcess(dataDir, ['--rate-limit', '0', '--log-level', 'debug']);
  rootPem = await readRoot(dataDir);
  clientCsr = await readFile(CLIENT_CSR_FILE, 'utf8');
});

afterAll(async () => {
  await server?.stop();
  await work.cleanup();
});

async function restIssue(csrPem: string): Promise<string> {
  const submitted = await postJson(`${server.url}/api/v1/csr`, { type: 'webhook', content: csrPem }, rootPem);
  expect(submitted.status).toBe(202);
  const decided = (await pollUntilDecided(server.url, submitted.json<CsrStatusBody>().request_id, rootPem)).json<CsrStatusBody>();
  expect(decided.status).toBe('approved');
  return decided.certificate!;
}

/** openssl verify exactly as the issue asks, with the intermediate untrusted and only the root trusted. */
async function strictVerify(name: string, chainPem: string): Promise<void> {
  const file = join(work.dir, `${name}.crt`);
  await writeFile(file, chainPem);
  await writeFile(join(work.dir, 'root.pem'), rootPem);
  const verify = await openssl(['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_ip', IP, '-CAfile', 'root.pem', '-untrusted', file, file], { cwd: work.dir });
  expect(verify.stdout + verify.stderr).toContain(': OK');
  expect(verify.code).toBe(0);
}

/** Every extension of the leaf as [oid, critical, value hex], in order. */
function extensionsOf(chainPem: string): Array<[string, boolean, string]> {
  const leaf = new X509Certificate(pemBlocks(chainPem)[0]!);
  return leaf.extensions.map((entry) => [entry.type, entry.critical, Buffer.from(entry.value).toString('hex')]);
}

/** The leaf a well-formed P-256 CSR for the same IP gets: the profile, to compare against. */
async function profileLeaf(): Promise<string> {
  const key = join(work.dir, 'reference.key');
  const csr = join(work.dir, 'reference.csr');
  const made = await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${IP}`, '-addext', `subjectAltName=IP:${IP}`]);
  expect(made.code).toBe(0);
  return restIssue(await readFile(csr, 'utf8'));
}

describe("the SMSGate client's CSR (malformed extKeyUsage value)", () => {
  it('POST /api/v1/csr approves it; the leaf verifies strictly and has exactly the profile of a well-formed request', async () => {
    const chain = await restIssue(clientCsr);
    await strictVerify('rest', chain);
    const extensions = extensionsOf(chain);
    const reference = extensionsOf(await profileLeaf());
    // Same extensions, criticality and values; only the key identifiers of the two keys differ.
    const comparable = (list: Array<[string, boolean, string]>) => list.map(([oid, critical, value]) => (oid === '2.5.29.14' ? [oid, critical] : [oid, critical, value]));
    expect(comparable(extensions)).toEqual(comparable(reference));
    expect(extensions.find(([oid]) => oid === OIDS.extKeyUsage)).toEqual([OIDS.extKeyUsage, false, SERVER_AUTH_EKU]);
    expect(new X509Certificate(pemBlocks(chain)[0]!).subject).toBe('');
  });

  it('the audit record and the debug log name what was ignored', async () => {
    await restIssue(clientCsr);
    const db = new Database(join(dataDir, 'smsgate-ca.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT detail FROM audit_log WHERE event = 'submitted' AND detail IS NOT NULL").all() as Array<{ detail: string }>;
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]!.detail).toMatch(/ignored malformed requested extension\(s\), never copied: extension extKeyUsage \(2\.5\.29\.37\): 4 unexpected trailing byte/);
    } finally {
      db.close();
    }
    expect(server.output()).toMatch(/"level":"debug".*ignored malformed requested extension/);
  });

  it('`sign` approves it too, says what it ignored on stderr, and the leaf verifies strictly', async () => {
    const result = await runCliProcess(['sign', '--data-dir', dataDir, '--csr', CLIENT_CSR_FILE]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^note: ignored malformed requested extension\(s\), never copied: extension extKeyUsage/);
    await strictVerify('sign', result.stdout);
    expect(extensionsOf(result.stdout).find(([oid]) => oid === OIDS.extKeyUsage)).toEqual([OIDS.extKeyUsage, false, SERVER_AUTH_EKU]);
  });
});

describe('the tolerance is narrow: what the certificate is made from stays strict', () => {
  const refused: Array<[string, () => string, RegExp]> = [
    ['a subjectAltName value with trailing bytes', () => buildCsr({ san: null, extensions: [extension(OIDS.subjectAltName, concat(seq(gn.ip(IP)), derNull()))] }).pem, /extension_invalid.*trailing/],
    ['a subjectAltName value that is not a SEQUENCE', () => buildCsr({ san: null, extensions: [extension(OIDS.subjectAltName, gn.ip(IP))] }).pem, /extension_invalid.*subjectAltName/],
    ['a basicConstraints value with trailing bytes', () => buildCsr({ extensions: [extension(OIDS.basicConstraints, concat(seq(), derNull()))] }).pem, /extension_invalid.*trailing/],
    ['basicConstraints CA:TRUE', () => buildCsr({ extensions: [extension(OIDS.basicConstraints, seq(derBoolean(true)))] }).pem, /ca_requested/],
  ];

  it.each(refused)('POST /api/v1/csr refuses %s with 400', async (_name, csr, message) => {
    const answer = await postJson(`${server.url}/api/v1/csr`, { type: 'webhook', content: csr() }, rootPem);
    expect(answer.status).toBe(400);
    expect(answer.json<{ error: { message: string } }>().error.message).toMatch(message);
  });

  it.each(refused)('`sign` refuses %s with exit code 1', async (_name, csr, message) => {
    const result = await runCliProcess(['sign', '--data-dir', dataDir, '--csr', '-'], { input: csr() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});
