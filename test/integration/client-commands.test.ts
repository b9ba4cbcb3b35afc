import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCliProcess, type RunResult } from '../support/cli.js';
import { certificateText, openssl, pemBlocks, verifyServerChain } from '../support/openssl.js';
import { readRoot, startServeProcess, type ServeProcess } from '../support/serve-process.js';

/**
 * The SMSGate command-line client's commands (`smsgate-ca [-t D] webhooks|private [--out F]
 * [--keyout F] IP`) against local servers. Every run names its server with an explicit --url.
 */
let work: { dir: string; cleanup: () => Promise<void> };
let server: ServeProcess;
/** Signs nothing for an hour and certifies only 10.0.0.0/8: for timeouts and refusals. */
let slow: ServeProcess;
let rootFile: string;
let slowRootFile: string;
let rootPem: string;
let counter: { url: string; requests: () => number; close: () => void };
let caseNumber = 0;

beforeAll(async () => {
  work = await makeTempDir();
  [server, slow] = await Promise.all([
    startServeProcess(join(work.dir, 'data'), ['--rate-limit', '0']),
    startServeProcess(join(work.dir, 'slow-data'), ['--rate-limit', '0', '--sign-delay', '1h', '--allowed-cidrs', '10.0.0.0/8']),
  ]);
  rootFile = join(work.dir, 'data/ca/root.crt');
  slowRootFile = join(work.dir, 'slow-data/ca/root.crt');
  rootPem = await readRoot(join(work.dir, 'data'));
  counter = await countingServer();
});

afterAll(async () => {
  counter?.close();
  await Promise.all([server?.stop(), slow?.stop()]);
  await work.cleanup();
});

/** A plain-HTTP server that only counts: proof that nothing was sent. */
async function countingServer(): Promise<typeof counter> {
  let requests = 0;
  const http: Server = createServer((_req, res) => {
    requests++;
    res.end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/v1`, requests: () => requests, close: () => http.close() };
}

interface ClientCase {
  readonly name: string;
  /** The argv; U / R stand for the main server's --url and root, SU / SR for the slow server's. */
  readonly argv: readonly string[];
  readonly env?: Record<string, string>;
  readonly dotEnv?: string;
  readonly code: 0 | 1 | 2 | 3;
  /** For code 0: the files and the IP / serial type byte to check. */
  readonly files?: { readonly cert: string; readonly key: string; readonly ip: string; readonly typeByte: '01' | '02' };
  /** For failures: what stderr must say. */
  readonly stderr?: RegExp;
}

const standard = (ip: string, typeByte: '01' | '02' = '01') => ({ cert: 'server.crt', key: 'server.key', ip, typeByte });
const CASES: readonly ClientCase[] = [
  // flag positions
  { name: 'global -t before the command', argv: ['-t', '20s', 'webhooks', '--url', 'U', '--ca-file', 'R', '192.168.1.10'], code: 0, files: standard('192.168.1.10') },
  { name: 'global --timeout=D before the alias', argv: ['--timeout=20s', 'wh', '--url=U', '--ca-file=R', '192.168.1.11'], code: 0, files: standard('192.168.1.11') },
  { name: '-t after the command', argv: ['private', '--url', 'U', '--ca-file', 'R', '-t', '20s', '10.0.0.5'], code: 0, files: standard('10.0.0.5', '02') },
  { name: 'flags after the IP, --out/--keyout with =', argv: ['p', '--url', 'U', '172.16.0.9', '--ca-file', 'R', '--out=dev.crt', '--keyout=dev.key'], code: 0, files: { cert: 'dev.crt', key: 'dev.key', ip: '172.16.0.9', typeByte: '02' } },
  { name: '--out FILE --keyout FILE with spaces', argv: ['webhooks', '--url', 'U', '--ca-file', 'R', '--out', 'a.pem', '--keyout', 'a-key.pem', '192.168.7.7'], code: 0, files: { cert: 'a.pem', key: 'a-key.pem', ip: '192.168.7.7', typeByte: '01' } },
  // environment and .env
  { name: 'ASG_CA_CA_FILE', argv: ['webhooks', '--url', 'U', '192.168.1.12'], env: { ASG_CA_CA_FILE: 'R' }, code: 0, files: standard('192.168.1.12') },
  { name: 'SMSGATE_CA_CA_FILE', argv: ['webhooks', '--url', 'U', '192.168.1.13'], env: { SMSGATE_CA_CA_FILE: 'R' }, code: 0, files: standard('192.168.1.13') },
  { name: 'SMSGATE_CA_OUT and SMSGATE_CA_KEYOUT', argv: ['webhooks', '--url', 'U', '--ca-file', 'R', '192.168.1.14'], env: { SMSGATE_CA_OUT: 'e.crt', SMSGATE_CA_KEYOUT: 'e.key' }, code: 0, files: { cert: 'e.crt', key: 'e.key', ip: '192.168.1.14', typeByte: '01' } },
  { name: '.env supplies ASG_CA_CA_FILE', argv: ['webhooks', '--url', 'U', '192.168.1.15'], dotEnv: 'ASG_CA_CA_FILE=R\n', code: 0, files: standard('192.168.1.15') },
  { name: 'the environment wins over .env', argv: ['webhooks', '--url', 'U', '192.168.1.16'], dotEnv: 'ASG_CA_CA_FILE=/nonexistent/root.crt\n', env: { ASG_CA_CA_FILE: 'R' }, code: 0, files: standard('192.168.1.16') },
  { name: 'ASG_CA_TIMEOUT bounds the wait', argv: ['webhooks', '--url', 'SU', '--ca-file', 'SR', '10.1.0.1'], env: { ASG_CA_TIMEOUT: '1500ms' }, code: 2, stderr: /timed out waiting for request REQ_[A-Z2-7]{26}; it is still pending/ },
  { name: 'SMSGATE_CA_TIMEOUT bounds the wait', argv: ['webhooks', '--url', 'SU', '--ca-file', 'SR', '10.1.0.2'], env: { SMSGATE_CA_TIMEOUT: '1500ms' }, code: 2, stderr: /timed out waiting/ },
  { name: '.env ASG_CA_TIMEOUT bounds the wait', argv: ['webhooks', '--url', 'SU', '--ca-file', 'SR', '10.1.0.3'], dotEnv: 'ASG_CA_TIMEOUT=1500ms\n', code: 2, stderr: /timed out waiting/ },
  { name: 'a global -t wins over ASG_CA_TIMEOUT', argv: ['-t', '1500ms', 'webhooks', '--url', 'SU', '--ca-file', 'SR', '10.1.0.4'], env: { ASG_CA_TIMEOUT: '1h' }, code: 2, stderr: /timed out waiting/ },
  { name: '-t after the command wins over the global one', argv: ['-t', '1h', 'webhooks', '--url', 'SU', '--ca-file', 'SR', '-t', '1500ms', '10.1.0.5'], code: 2, stderr: /timed out waiting/ },
  // exit code 1: invalid arguments or input, nothing sent
  { name: 'a public IP', argv: ['webhooks', '--url', 'C', '8.8.8.8'], code: 1, stderr: /8\.8\.8\.8 is not a private IP address \(public address space\)/ },
  { name: 'loopback', argv: ['private', '--url', 'C', '127.0.0.1'], code: 1, stderr: /127\.0\.0\.1 is not a private IP address/ },
  { name: 'not an IPv4 address', argv: ['private', '--url', 'C', 'printer.local'], code: 1, stderr: /"printer\.local" is not an IPv4 address/ },
  { name: 'no IP', argv: ['webhooks', '--url', 'C'], code: 1, stderr: /missing argument IP/ },
  { name: 'a zero timeout', argv: ['-t', '0s', 'webhooks', '--url', 'C', '192.168.1.10'], code: 1, stderr: /timeout must be greater than 0/ },
  { name: 'a timeout that is no duration', argv: ['webhooks', '--url', 'C', '-t', 'soon', '192.168.1.10'], code: 1, stderr: /timeout "soon" is not a duration/ },
  { name: 'an unknown option', argv: ['webhooks', '--url', 'C', '--bogus', '192.168.1.10'], code: 1, stderr: /unknown option --bogus \(see smsgate-ca webhooks --help\)/ },
  { name: 'an unreadable --ca-file', argv: ['webhooks', '--url', 'C', '--ca-file', '/nonexistent/root.crt', '192.168.1.10'], code: 1, stderr: /cannot read --ca-file \/nonexistent\/root\.crt: ENOENT/ },
  { name: 'a --url that is no URL', argv: ['webhooks', '--url', 'not a url', '192.168.1.10'], code: 1, stderr: /--url "not a url" is not a URL/ },
  // exit code 2: the server refused or could not be reached
  { name: 'the server refuses the IP (400)', argv: ['webhooks', '--url', 'SU', '--ca-file', 'SR', '192.168.1.10'], code: 2, stderr: /CSR submission failed \(HTTP 400\): CSR refused \(identifier_not_allowed\)/ },
  { name: 'an untrusted server certificate names --ca-file', argv: ['webhooks', '--url', 'U', '192.168.1.10'], code: 2, stderr: /is not trusted .*pass its root with --ca-file FILE/ },
  { name: 'the wrong --ca-file', argv: ['webhooks', '--url', 'U', '--ca-file', 'SR', '192.168.1.10'], code: 2, stderr: /does not chain to --ca-file .*slow-data\/ca\/root\.crt/ },
  { name: 'http:// against the HTTPS server', argv: ['webhooks', '--url', 'HTTP-U', '--ca-file', 'R', '192.168.1.10'], code: 2, stderr: /speaks HTTPS, not plain HTTP: use --url https:\/\/127\.0\.0\.1:\d+\/api\/v1\// },
  { name: 'https:// against a plain-HTTP server', argv: ['webhooks', '--url', 'HTTPS-C', '192.168.1.10'], code: 2, stderr: /does not speak HTTPS .*use --url http:\/\/127\.0\.0\.1:\d+\/api\/v1\// },
  { name: 'nobody listening', argv: ['webhooks', '--url', 'https://127.0.0.1:9/api/v1', '192.168.1.10'], code: 2, stderr: /cannot connect to https:\/\/127\.0\.0\.1:9 \(connection refused\)/ },
  // exit code 3: the files cannot be written
  { name: '--out in a missing directory', argv: ['webhooks', '--url', 'U', '--ca-file', 'R', '--out', 'missing/server.crt', '192.168.1.20'], code: 3, stderr: /cannot write missing\/server\.crt: ENOENT/ },
  { name: '--keyout in a missing directory (the certificate is removed again)', argv: ['webhooks', '--url', 'U', '--ca-file', 'R', '--keyout', 'missing/server.key', '192.168.1.21'], code: 3, stderr: /cannot write missing\/server\.key: ENOENT/ },
];

function substitute(word: string): string {
  const values: Record<string, string> = {
    U: `${server.url}/api/v1`,
    R: rootFile,
    SU: `${slow.url}/api/v1`,
    SR: slowRootFile,
    C: counter.url,
    'HTTP-U': `${server.url.replace('https:', 'http:')}/api/v1`,
    'HTTPS-C': counter.url.replace('http:', 'https:'),
  };
  return word.replace(/^(--[a-z-]+=)?(U|R|SU|SR|C|HTTP-U|HTTPS-C)$/, (_all, prefix: string | undefined, key: string) => `${prefix ?? ''}${values[key]}`);
}

async function runCase(entry: ClientCase): Promise<{ dir: string; result: RunResult }> {
  const dir = join(work.dir, `case-${++caseNumber}`);
  await mkdir(dir);
  if (entry.dotEnv) await writeFile(join(dir, '.env'), entry.dotEnv.split('\n').map((line) => line.replace(/=(.+)$/, (_all, value: string) => `=${substitute(value)}`)).join('\n'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(ASG_CA_|SMSGATE_CA_)/.test(name)) delete env[name];
  for (const [name, value] of Object.entries(entry.env ?? {})) env[name] = substitute(value);
  const result = await runCliProcess(entry.argv.map(substitute), { cwd: dir, env });
  return { dir, result };
}

async function expectWorkingPair(dir: string, files: NonNullable<ClientCase['files']>): Promise<void> {
  expect((await stat(join(dir, files.cert))).mode & 0o777).toBe(0o600);
  expect((await stat(join(dir, files.key))).mode & 0o777).toBe(0o400);
  const chain = await readFile(join(dir, files.cert), 'utf8');
  expect(pemBlocks(chain)).toHaveLength(2);
  expect((await verifyServerChain(dir, chain, rootPem, files.ip)).code).toBe(0);
  // The key as the Go client writes it: SEC1 "EC PRIVATE KEY" on P-256, matching the certificate.
  const keyPem = await readFile(join(dir, files.key), 'utf8');
  expect(keyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n[\s\S]+\n-----END EC PRIVATE KEY-----\n$/);
  const keyText = await openssl(['ec', '-in', files.key, '-noout', '-text'], { cwd: dir });
  expect(keyText.stdout + keyText.stderr).toMatch(/ASN1 OID: prime256v1/);
  const certKey = await openssl(['x509', '-in', files.cert, '-noout', '-pubkey'], { cwd: dir });
  const ownKey = await openssl(['pkey', '-in', files.key, '-pubout'], { cwd: dir });
  expect(certKey.stdout).toBe(ownKey.stdout);
  const text = await certificateText(dir, pemBlocks(chain)[0]!);
  expect(text).toMatch(new RegExp(`Serial Number:\\s*\\n\\s*${files.typeByte}:`));
}

describe('smsgate-ca webhooks / private, table-driven', () => {
  it('covers exit codes 0, 1, 2 and 3', () => {
    expect(new Set(CASES.map((entry) => entry.code))).toEqual(new Set([0, 1, 2, 3]));
  });

  it.concurrent.each(CASES.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const before = counter.requests();
    const { dir, result } = await runCase(entry);
    expect(result.stdout).toBe('');
    if (entry.stderr) expect(result.stderr).toMatch(entry.stderr);
    expect(result.code, result.stderr).toBe(entry.code);
    if (entry.files) {
      expect(result.stderr).toMatch(new RegExp(`Certificate saved to ${entry.files.cert}\\nPrivate key saved to ${entry.files.key}\\n$`));
      await expectWorkingPair(dir, entry.files);
    } else {
      await expect(access(join(dir, 'server.key'))).rejects.toThrow();
      await expect(access(join(dir, 'server.crt'))).rejects.toThrow();
    }
    if (entry.code === 1) expect(counter.requests()).toBe(before);
  });
});

describe('smsgate-ca webhooks, more', () => {
  it('replaces files from an earlier run, even the read-only key', async () => {
    const dir = join(work.dir, 'again');
    await mkdir(dir);
    const args = ['wh', '--url', `${server.url}/api/v1`, '--ca-file', rootFile, '172.16.0.10'];
    expect((await runCliProcess(args, { cwd: dir })).code).toBe(0);
    const firstKey = await readFile(join(dir, 'server.key'), 'utf8');
    expect((await runCliProcess(args, { cwd: dir })).code).toBe(0);
    expect(await readFile(join(dir, 'server.key'), 'utf8')).not.toBe(firstKey);
    await expectWorkingPair(dir, standard('172.16.0.10'));
  });
});
