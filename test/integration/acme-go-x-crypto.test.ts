import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, run, runCliProcess } from '../support/cli.js';
import { verifyServerChain } from '../support/openssl.js';
import { freePort, startAcmeServe, type AcmeServe } from '../support/acme-serve.js';

/**
 * golang.org/x/crypto/acme — Debian's golang-golang-x-crypto-dev, the library cert-manager's ACME
 * issuer forks — drives `smsgate-ca serve` the way cert-manager does for a Certificate with IP
 * addresses (test/support/go-acme-client/main.go). This tests the library, not cert-manager itself.
 * The program is built once per run, offline, in GOPATH mode against Debian's sources.
 */

const IPS = ['127.0.0.21', '127.0.0.22'];
const GOPATH = '/usr/share/gocode';

let work: string;
let binary: string;

async function buildClient(): Promise<string> {
  const output = join(work, 'go-acme-client');
  const env = { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: join(work, 'go-cache'), GOPROXY: 'off', GOFLAGS: '' };
  const built = await run('go', ['build', '-o', output, './test/support/go-acme-client'], { cwd: REPO_ROOT, env });
  if (built.code !== 0) throw new Error(`go build failed (golang-go and golang-golang-x-crypto-dev installed?):\n${built.stderr}`);
  return output;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'smsgate-ca-go-acme-'));
  binary = await buildClient();
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

interface Summary {
  readonly account: string;
  readonly accountAgain: string;
  readonly accountKeyBits: number;
  readonly identifiers: string[];
  readonly authzStatuses: string[];
  readonly orderStatus: string;
  readonly certUrl: string;
  readonly chainLength: number;
  readonly http01Served: number;
}

/** `smsgate-ca eab create` on the server's data directory: the key id and base64url HMAC key. */
async function createEabKey(acme: AcmeServe): Promise<string[]> {
  const created = await runCliProcess(['eab', 'create', '--data-dir', join(acme.dir, 'data'), '--label', 'cert-manager']);
  expect(created.code, created.stderr).toBe(0);
  return ['-eab-kid', /key id:\s+(\S+)/.exec(created.stdout)![1]!, '-eab-hmac', /hmac key:\s+(\S+)/.exec(created.stdout)![1]!];
}

describe.each([
  { binding: 'without External Account Binding', eab: false },
  { binding: 'with an External Account Binding required by the server', eab: true },
])('golang.org/x/crypto/acme (the library cert-manager forks) against smsgate-ca serve, $binding', ({ eab }) => {
  let acme: AcmeServe;
  let httpPort: number;
  let out: string;

  beforeAll(async () => {
    httpPort = await freePort(IPS[0]);
    acme = await startAcmeServe({ http01Port: httpPort, tlsAlpn01Port: await freePort(), extraArgs: eab ? ['--acme-eab-required'] : [] });
    out = await mkdtemp(join(work, 'out-'));
  });

  afterAll(() => acme?.stop());

  it('registers an RSA-2048 account, orders IP identifiers, answers http-01, finalizes, and the chain verifies', async () => {
    const eabArgs = eab ? await createEabKey(acme) : [];
    const args = ['-directory', acme.directoryUrl, '-ca-bundle', acme.rootFile, '-ips', IPS.join(','), '-http01-port', String(httpPort), '-out', out, ...eabArgs];
    const result = await run(binary, args);
    expect(result.code, `${result.stderr}\n${acme.serve.output()}`).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary.accountKeyBits).toBe(2048);
    expect(summary.account).toMatch(/\/acme\/acct\/[A-Za-z0-9_-]{16}$/);
    // Registering the same key again answers "already exists", and GetReg finds the same account.
    expect(summary.accountAgain).toBe(summary.account);
    expect(summary.identifiers).toEqual(IPS.map((ip) => `ip:${ip}`));
    expect(summary.authzStatuses).toEqual(['valid', 'valid']);
    // The server's validator fetched the key authorization from this program, once per IP at least.
    expect(summary.http01Served).toBeGreaterThanOrEqual(IPS.length);
    expect(summary.orderStatus).toBe('valid');
    expect(summary.certUrl).toMatch(/\/acme\/cert\//);
    expect(summary.chainLength).toBe(2);

    const chain = await readFile(join(out, 'fullchain.pem'), 'utf8');
    for (const ip of IPS) {
      const verified = await verifyServerChain(out, chain, acme.rootPem, ip);
      expect(verified.stderr).toBe('');
      expect(verified.code).toBe(0);
    }
  });

  if (!eab) return;
  it('is refused without the binding', async () => {
    const args = ['-directory', acme.directoryUrl, '-ca-bundle', acme.rootFile, '-ips', IPS[0]!, '-http01-port', String(httpPort), '-out', out];
    const result = await run(binary, args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/register: .*externalAccountRequired/);
  });
});
