import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';
import { verifyServerChain } from '../support/openssl.js';
import { freePort, startAcmeServe, type AcmeServe } from '../support/acme-serve.js';

/** python3-acme (Debian; certbot's library) runs the whole flow against `smsgate-ca serve`. */

const IP = '127.0.0.9';
const SCRIPT = fileURLToPath(new URL('../support/acme-python-flow.py', import.meta.url));

let acme: AcmeServe;
let httpPort: number;

beforeAll(async () => {
  httpPort = await freePort(IP);
  acme = await startAcmeServe({ http01Port: httpPort, tlsAlpn01Port: await freePort() });
});

afterAll(() => acme?.stop());

describe('python3-acme against smsgate-ca serve', () => {
  it('account (RSA key) → order → http-01 → finalize → download → revoke', async () => {
    // Debian's python3 with python3-acme, not a pyenv interpreter that may shadow it on PATH.
    const result = await run('/usr/bin/python3', [SCRIPT, acme.directoryUrl, acme.rootFile, IP, String(httpPort), acme.dir]);
    expect(result.code, `${result.stderr}\n${acme.serve.output()}`).toBe(0);
    const summary = JSON.parse(result.stdout) as { account: string; order_status: string; identifiers: string[]; revoked_again: string; http01_served: number };
    expect(summary.account).toMatch(/\/acme\/acct\/[A-Za-z0-9_-]{16}$/);
    expect(summary.order_status).toBe('valid');
    expect(summary.identifiers).toEqual([IP]);
    // The python responder answered the server's validator: the authorization was really validated.
    expect(summary.http01_served).toBeGreaterThanOrEqual(1);
    expect(summary.revoked_again).toBe('urn:ietf:params:acme:error:alreadyRevoked');
    const chain = await readFile(join(acme.dir, 'fullchain.pem'), 'utf8');
    const verified = await verifyServerChain(acme.dir, chain, acme.rootPem, IP);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });
});
