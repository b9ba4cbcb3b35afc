import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type RunResult } from '../support/cli.js';
import { verifyServerChain } from '../support/openssl.js';
import { startHttp01Responder, type Http01Responder } from '../support/acme-responders.js';
import { freePort, startAcmeServe, type AcmeServe } from '../support/acme-serve.js';

/**
 * uacme 1.7.4 (Debian) against the real `smsgate-ca serve`: http-01 through a hook script that
 * drops the key authorization where a loopback HTTP server serves it, and tls-alpn-01 through
 * ualpn. uacme trusts only the system store, so it runs in a private mount namespace where the
 * CA root is bind-mounted over /etc/ssl/certs/ca-certificates.crt.
 */

const HTTP_IP = '127.0.0.7';
const ALPN_IP = '127.0.0.8';
// Skip reason: `unshare -m` + `mount --bind` need CAP_SYS_ADMIN, and uacme has no option to trust
// another CA bundle. CI (.ci/run) runs as root, so there these tests always run; only a developer's
// unprivileged shell skips them, and the summary reporter counts the skip.
const isRoot = process.getuid?.() === 0;

let acme: AcmeServe;
let http: Http01Responder;
let ualpn: ChildProcess;
let ualpnLog = '';
let work: string;

function uacme(args: readonly string[]): Promise<RunResult> {
  const script = 'mount --bind "$BUNDLE" /etc/ssl/certs/ca-certificates.crt && exec uacme "$@"';
  return run('unshare', ['-m', 'sh', '-c', script, 'sh', '-v', '-a', acme.directoryUrl, '-c', join(work, 'conf'), ...args], {
    env: { ...process.env, BUNDLE: acme.rootFile },
  });
}

beforeAll(async () => {
  if (!isRoot) return;
  const httpPort = await freePort(HTTP_IP);
  const alpnPort = await freePort(ALPN_IP);
  acme = await startAcmeServe({ http01Port: httpPort, tlsAlpn01Port: alpnPort });
  work = acme.dir;
  await mkdir(join(work, 'challenges'));
  http = await startHttp01Responder(HTTP_IP, httpPort, join(work, 'challenges'));
  const socket = join(work, 'ualpn.sock');
  ualpn = spawn('ualpn', ['-v', '-v', '-b', `${ALPN_IP}@${alpnPort}`, '-c', '127.0.0.1@9', '-s', socket, '-p', join(work, 'ualpn.pid'), '-n', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  ualpn.stderr!.on('data', (chunk: Buffer) => (ualpnLog += chunk.toString()));
  await writeHooks(socket);
  for (let attempt = 0; attempt < 200 && !existsSync(socket); attempt++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(existsSync(socket), `ualpn did not start:\n${ualpnLog}`).toBe(true);
});

afterAll(async () => {
  if (!isRoot) return;
  ualpn?.kill('SIGTERM');
  await http?.close();
  await acme?.stop();
});

async function writeHooks(socket: string): Promise<void> {
  const httpHook = `#!/bin/sh
# uacme hook: METHOD TYPE IDENT TOKEN AUTH; serves http-01 only.
[ "$2" = "http-01" ] || exit 1
case "$1" in
  begin) printf "%s" "$5" > "${join(work, 'challenges')}/$4" ;;
  *) rm -f "${join(work, 'challenges')}/$4" ;;
esac
`;
  const alpnHook = `#!/bin/sh
# uacme hook for tls-alpn-01 through a running ualpn (the Debian ualpn.sh with our socket).
[ "$2" = "tls-alpn-01" ] || exit 1
case "$1" in
  begin) [ "$(echo "auth $3 $5" | ualpn -s ${socket})" = "OK" ] ;;
  *) echo "unauth $3" | ualpn -s ${socket} >/dev/null ;;
esac
`;
  await writeFile(join(work, 'http-hook.sh'), httpHook);
  await writeFile(join(work, 'alpn-hook.sh'), alpnHook);
  await chmod(join(work, 'http-hook.sh'), 0o755);
  await chmod(join(work, 'alpn-hook.sh'), 0o755);
}

describe.skipIf(!isRoot)('uacme + ualpn against smsgate-ca serve', () => {
  it('creates an account (EC key, terms accepted)', async () => {
    const result = await uacme(['-y', '-t', 'EC', 'new', 'ops@example.internal']);
    expect(result.stderr).toMatch(/account created|account location/i);
    expect(result.code).toBe(0);
  });

  it('obtains a certificate for an IP with http-01 (hook + loopback HTTP server)', async () => {
    const result = await uacme(['-h', join(work, 'http-hook.sh'), '-t', 'EC', 'issue', HTTP_IP]);
    expect(result.code, result.stderr).toBe(0);
    expect(http.requests.some((request) => request.path.startsWith('/.well-known/acme-challenge/'))).toBe(true);
    const chain = await readFile(join(work, 'conf', HTTP_IP, 'cert.pem'), 'utf8');
    const verified = await verifyServerChain(work, chain, acme.rootPem, HTTP_IP);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it('obtains a certificate for an IP with tls-alpn-01 through ualpn', async () => {
    const result = await uacme(['-h', join(work, 'alpn-hook.sh'), '-t', 'EC', 'issue', ALPN_IP]);
    expect(result.code, `${result.stderr}\nualpn:\n${ualpnLog}`).toBe(0);
    expect(result.stderr).toMatch(/challenge http-01 declined/);
    expect(result.stderr).toMatch(/starting challenge/);
    // The server's validator really connected to ualpn at the identifier's IP (not skipped).
    expect(ualpnLog).toMatch(new RegExp(`new frontend connection to ${ALPN_IP.replaceAll('.', '\\.')}:\\d+ from 127\\.`));
    const chain = await readFile(join(work, 'conf', ALPN_IP, 'cert.pem'), 'utf8');
    const verified = await verifyServerChain(work, chain, acme.rootPem, ALPN_IP);
    expect(verified.code).toBe(0);
  });

  it('revokes the http-01 certificate', async () => {
    // uacme renames the file it revoked, so a copy is kept to try again.
    await copyFile(join(work, 'conf', HTTP_IP, 'cert.pem'), join(work, 'revoked.pem'));
    const result = await uacme(['revoke', join(work, 'conf', HTTP_IP, 'cert.pem')]);
    expect(result.code, result.stderr).toBe(0);
    const again = await uacme(['revoke', join(work, 'revoked.pem')]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('alreadyRevoked');
  });
});
