import { X509Certificate } from 'node:crypto';
import { Agent } from 'node:https';
import { join } from 'node:path';
import * as acme from 'acme-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../support/cli.js';
import { verifyServerChain } from '../support/openssl.js';
import { startHttp01Responder, type Http01Responder } from '../support/acme-responders.js';
import { freePort, startAcmeServe, type AcmeServe } from '../support/acme-serve.js';

/** Node's acme-client (npm), low-level API with ECDSA account keys, against `smsgate-ca serve`. */

const IP = '127.0.0.10';
let server: AcmeServe;
let http: Http01Responder;

beforeAll(async () => {
  const httpPort = await freePort(IP);
  server = await startAcmeServe({ http01Port: httpPort, tlsAlpn01Port: await freePort() });
  http = await startHttp01Responder(IP, httpPort);
  acme.axios.defaults.httpsAgent = new Agent({ ca: server.rootPem });
});

afterAll(async () => {
  await http?.close();
  await server?.stop();
});

function newClient(options: Partial<acme.ClientOptions> = {}): Promise<acme.Client> {
  return acme.crypto.createPrivateEcdsaKey().then((accountKey) => new acme.Client({ directoryUrl: server.directoryUrl, accountKey, backoffMin: 10, backoffMax: 100, backoffAttempts: 100, ...options }));
}

async function issue(client: acme.Client, ips: readonly string[]): Promise<{ order: acme.Order; chain: string }> {
  const order = await client.createOrder({ identifiers: ips.map((value) => ({ type: 'ip', value })) });
  for (const authorization of await client.getAuthorizations(order)) {
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01')!;
    http.tokens.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
    await client.completeChallenge(challenge);
    await client.waitForValidStatus(challenge);
    // Valid because the server fetched the key authorization from the identifier's IP.
    expect(http.requests).toContainEqual({ path: `/.well-known/acme-challenge/${challenge.token}`, host: authorization.identifier.value });
  }
  const [, csr] = await acme.crypto.createCsr({ altNames: [...ips] }, await acme.crypto.createPrivateEcdsaKey());
  const finalized = await client.finalizeOrder(order, csr);
  return { order: finalized, chain: await client.getCertificate(finalized) };
}

describe('acme-client against smsgate-ca serve', () => {
  it('account + order + http-01 + finalize + revoke (ECDSA account key)', async () => {
    const client = await newClient();
    const account = await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:ops@example.internal'] });
    expect(account.status).toBe('valid');
    const { order, chain } = await issue(client, [IP]);
    expect(order.status).toBe('valid');
    const verified = await verifyServerChain(server.dir, chain, server.rootPem, IP);
    expect(verified.code, verified.stderr).toBe(0);
    expect(new X509Certificate(chain).subjectAltName).toBe(`IP Address:${IP}`);
    await client.revokeCertificate(chain, { reason: 4 });
    await expect(client.revokeCertificate(chain)).rejects.toThrow(/already revoked/);
  });

  it('key rollover: the new key acts for the account, the old one no longer does', async () => {
    const oldKey = await acme.crypto.createPrivateEcdsaKey();
    const client = new acme.Client({ directoryUrl: server.directoryUrl, accountKey: oldKey, backoffMin: 10, backoffMax: 100 });
    await client.createAccount({ termsOfServiceAgreed: true });
    const accountUrl = client.getAccountUrl();
    const newKey = await acme.crypto.createPrivateEcdsaKey('P-384');
    await client.updateAccountKey(newKey);
    const rolled = new acme.Client({ directoryUrl: server.directoryUrl, accountKey: newKey });
    await rolled.createAccount({ onlyReturnExisting: true });
    expect(rolled.getAccountUrl()).toBe(accountUrl);
    const stale = new acme.Client({ directoryUrl: server.directoryUrl, accountKey: oldKey });
    await expect(stale.createAccount({ onlyReturnExisting: true })).rejects.toThrow(/no account exists/);
    expect((await issue(client, [IP])).order.status).toBe('valid');
  });

  it('account deactivation: the account refuses further requests', async () => {
    const client = await newClient();
    await client.createAccount({ termsOfServiceAgreed: true });
    const deactivated = await client.updateAccount({ status: 'deactivated' });
    expect(deactivated.status).toBe('deactivated');
    await expect(client.createOrder({ identifiers: [{ type: 'ip', value: IP }] })).rejects.toThrow(/account is deactivated/);
  });
});

describe('External Account Binding with keys from `smsgate-ca eab`', () => {
  let eabServer: AcmeServe;

  beforeAll(async () => {
    eabServer = await startAcmeServe({ http01Port: await freePort(), tlsAlpn01Port: await freePort(), extraArgs: ['--acme-eab-required'] });
    // acme-client shares one axios instance: trust both servers' roots (each has its own CA).
    acme.axios.defaults.httpsAgent = new Agent({ ca: [server.rootPem, eabServer.rootPem] });
  });

  afterAll(() => eabServer?.stop());

  it('refuses an account without EAB, accepts one bound to a created key, and refuses a revoked key', async () => {
    const dataDir = join(eabServer.dir, 'data');
    const created = await runCliProcess(['eab', 'create', '--data-dir', dataDir, '--label', 'cluster-a']);
    expect(created.code, created.stderr).toBe(0);
    const kid = /key id:\s+(\S+)/.exec(created.stdout)![1]!;
    const hmacKey = /hmac key:\s+(\S+)/.exec(created.stdout)![1]!;

    const without = new acme.Client({ directoryUrl: eabServer.directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await expect(without.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(/externalAccountBinding/);

    const bound = new acme.Client({ directoryUrl: eabServer.directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), externalAccountBinding: { kid, hmacKey } });
    expect((await bound.createAccount({ termsOfServiceAgreed: true })).status).toBe('valid');

    const wrongMac = new acme.Client({ directoryUrl: eabServer.directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), externalAccountBinding: { kid, hmacKey: Buffer.alloc(32, 1).toString('base64url') } });
    await expect(wrongMac.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(/MAC/);

    const listed = await runCliProcess(['eab', 'list', '--data-dir', dataDir]);
    expect(listed.stdout).toMatch(new RegExp(`${kid}\\s+\\S+\\s+active\\s+1\\s+cluster-a`));
    expect((await runCliProcess(['eab', 'revoke', kid, '--data-dir', dataDir])).code).toBe(0);
    const afterRevoke = new acme.Client({ directoryUrl: eabServer.directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), externalAccountBinding: { kid, hmacKey } });
    await expect(afterRevoke.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(/unknown or revoked/);
  });
});
