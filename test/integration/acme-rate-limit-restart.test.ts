import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as acme from 'acme-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/acme-serve.js';
import { readRoot, startServeProcess, type ServeProcess } from '../support/serve-process.js';

/**
 * The ACME new-order and new-account limits are kept in the SQLite file, not in memory: a `serve`
 * stopped and started again on the same data directory still refuses what the limits refused
 * before (node acme-client, over HTTPS).
 */
let home: string;
let dataDir: string;
let serve: ServeProcess | undefined;
let directoryUrl: string;
/** One port for both runs: account URLs name it. */
let port: number;

async function start(): Promise<void> {
  serve = await startServeProcess(dataDir, [
    '--listen', `127.0.0.1:${port}`,
    '--acme-http01-port', String(await freePort()),
    '--acme-tls-alpn01-port', String(await freePort()),
    '--acme-new-account-rate', '2/1h',
    '--acme-new-order-rate', '2/1h',
  ]);
  directoryUrl = `${serve.url}/acme/directory`;
  acme.axios.defaults.httpsAgent = new Agent({ ca: await readRoot(dataDir) });
}

interface Account {
  readonly key: Buffer;
  readonly url: string;
}

/** A client for an account created earlier (as a client that saved its account URL uses it). */
function clientOf(account: Account): acme.Client {
  return new acme.Client({ directoryUrl, accountKey: account.key, accountUrl: account.url });
}

async function register(): Promise<Account> {
  const key = await acme.crypto.createPrivateEcdsaKey();
  const client = new acme.Client({ directoryUrl, accountKey: key });
  await client.createAccount({ termsOfServiceAgreed: true });
  return { key, url: client.getAccountUrl() };
}

const order = (account: Account, ip: string) => clientOf(account).createOrder({ identifiers: [{ type: 'ip', value: ip }] });
const NEW_ORDER_LIMITED = /too many new orders for this account; retry in \d+s/;
const NEW_ACCOUNT_LIMITED = /too many new accounts from this address; retry in \d+s/;

/** acme-client's own retry settings on its axios instance (not in its typings). */
const clientSettings = (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings;
const retries = clientSettings.retryMaxAttempts;

beforeAll(async () => {
  // acme-client waits out a 429's Retry-After (an hour here) and retries: off, to see the refusal itself.
  clientSettings.retryMaxAttempts = 0;
  home = await mkdtemp(join(tmpdir(), 'smsgate-ca-acme-limit-restart-'));
  dataDir = join(home, 'data');
  port = await freePort();
  await start();
});

afterAll(async () => {
  clientSettings.retryMaxAttempts = retries;
  await serve?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('ACME rate limits survive a restart (SQLite mode)', () => {
  it('an ACME new-order limit still applies after a restart, and so does the new-account limit', async () => {
    const limited = await register();
    const other = await register();
    await expect(register()).rejects.toThrow(NEW_ACCOUNT_LIMITED);
    await order(limited, '127.0.0.31');
    await order(limited, '127.0.0.32');
    await expect(order(limited, '127.0.0.33')).rejects.toThrow(NEW_ORDER_LIMITED);

    expect(await serve!.stop()).toBe(0);
    await start();

    await expect(order(limited, '127.0.0.34')).rejects.toThrow(NEW_ORDER_LIMITED);
    await expect(register()).rejects.toThrow(NEW_ACCOUNT_LIMITED);
    // The limit is per account: another account of the same data directory still orders.
    const allowed = await order(other, '127.0.0.35');
    expect(allowed.status).toBe('pending');
  });
});
