import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr, freshKey, seq } from '../support/csr-factory.js';
import { startAcmeHarness, type AcmeHarness } from '../support/acme-harness.js';
import { accountKey, keyAuthorizationFor, RawAcmeClient, type AcmeReply } from '../support/acme-test-client.js';

/**
 * The protocol suite: each violation of RFC 8555 / RFC 8738 gets the exact problem type and HTTP
 * status the RFC gives it, and error responses still carry a fresh nonce.
 */

let harness: AcmeHarness;
let alice: RawAcmeClient;
let bob: RawAcmeClient;
let aliceOrder: { url: string; authorizations: string[]; finalize: string };

const E = 'urn:ietf:params:acme:error:';

beforeAll(async () => {
  harness = await startAcmeHarness({ maxIdentifiers: 3 });
  alice = await RawAcmeClient.create(harness.directoryUrl);
  bob = await RawAcmeClient.create(harness.directoryUrl, 'RS256');
  expect((await alice.createAccount()).status).toBe(201);
  expect((await bob.createAccount()).status).toBe(201);
  const reply = await alice.newOrder(['127.0.1.1']);
  const body = reply.json<{ authorizations: string[]; finalize: string }>();
  aliceOrder = { url: reply.headers.get('location')!, ...body };
});

afterAll(() => harness.close());

/** A JWS signed with node:crypto, for headers jose refuses to produce (alg not matching the key). */
function manualJws(header: Record<string, unknown>, payload: unknown, key: KeyObject): Record<string, string> {
  const protectedPart = b64(header);
  const payloadPart = b64(payload);
  const signature = sign('sha256', Buffer.from(`${protectedPart}.${payloadPart}`), { key, dsaEncoding: 'ieee-p1363' });
  return { protected: protectedPart, payload: payloadPart, signature: signature.toString('base64url') };
}

function raw(body: unknown): string {
  return JSON.stringify(body);
}

function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function expectProblem(reply: AcmeReply, type: string, status: number): void {
  expect({ status: reply.status, contentType: reply.headers.get('content-type') }).toEqual({ status, contentType: 'application/problem+json' });
  const problem = reply.json<{ type: string; status: number; detail: string }>();
  expect(problem.type).toBe(E + type);
  expect(problem.status).toBe(status);
  expect(problem.detail.length).toBeGreaterThan(0);
  expect(reply.headers.get('replay-nonce')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
}

async function readyOrder(client: RawAcmeClient, ips: readonly string[]): Promise<{ url: string; finalize: string }> {
  const reply = await client.newOrder(ips);
  const order = reply.json<{ authorizations: string[]; finalize: string }>();
  for (const authorizationUrl of order.authorizations) {
    const authorization = (await client.fetch(authorizationUrl)).json<{ challenges: Array<{ type: string; url: string; token: string }> }>();
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01')!;
    harness.http01.tokens.set(challenge.token, keyAuthorizationFor(challenge.token, client.key));
    await client.post(challenge.url, {});
    await client.pollUntil(authorizationUrl, (body) => body['status'] !== 'pending');
  }
  const url = reply.headers.get('location')!;
  expect((await client.fetch(url)).json()['status']).toBe('ready');
  return { url, finalize: order.finalize };
}

function csrPayload(ips: readonly string[], options: Parameters<typeof buildCsr>[0] = {}): { csr: string } {
  return { csr: Buffer.from(buildCsr({ key: freshKey('p256'), ips, ...options }).der).toString('base64url') };
}

interface Violation {
  readonly name: string;
  readonly send: () => Promise<AcmeReply>;
  readonly type: string;
  readonly status: number;
}

const violations: Violation[] = [
  { name: 'alg "none"', send: () => alice.send(alice.directory.newOrder, raw({ protected: b64({ alg: 'none', kid: alice.kid, url: alice.directory.newOrder }), payload: b64({}), signature: '' })), type: 'badSignatureAlgorithm', status: 400 },
  {
    name: 'alg HS256',
    send: async () => alice.send(alice.directory.newOrder, raw({ protected: b64({ alg: 'HS256', kid: alice.kid, nonce: await alice.nonce(), url: alice.directory.newOrder }), payload: b64({}), signature: 'AAAA' })),
    type: 'badSignatureAlgorithm',
    status: 400,
  },
  {
    name: 'alg RS512 (not accepted)',
    send: async () => alice.send(alice.directory.newOrder, raw({ protected: b64({ alg: 'RS512', kid: alice.kid, nonce: await alice.nonce(), url: alice.directory.newOrder }), payload: b64({}), signature: 'AAAA' })),
    type: 'badSignatureAlgorithm',
    status: 400,
  },
  { name: 'jwk and kid together', send: () => alice.post(alice.directory.newOrder, {}, { header: { jwk: alice.key.publicJwk } }), type: 'malformed', status: 400 },
  { name: 'neither jwk nor kid', send: () => alice.post(alice.directory.newOrder, {}, { header: { kid: undefined } }), type: 'malformed', status: 400 },
  { name: 'unknown kid', send: () => alice.post(alice.directory.newOrder, {}, { kid: `${harness.baseUrl}/acme/acct/AAAAAAAAAAAAAAAA` }), type: 'accountDoesNotExist', status: 400 },
  { name: 'kid of another server', send: () => alice.post(alice.directory.newOrder, {}, { kid: 'https://elsewhere.example/acme/acct/1' }), type: 'accountDoesNotExist', status: 400 },
  { name: 'kid on newAccount', send: () => alice.post(alice.directory.newAccount, {}, { useJwk: false }), type: 'malformed', status: 400 },
  { name: 'jwk on newOrder', send: () => alice.post(alice.directory.newOrder, { identifiers: [{ type: 'ip', value: '127.0.0.9' }] }, { useJwk: true }), type: 'malformed', status: 400 },
  { name: 'absent nonce', send: () => alice.post(alice.directory.newOrder, {}, { nonce: null }), type: 'badNonce', status: 400 },
  { name: 'forged nonce', send: () => alice.post(alice.directory.newOrder, {}, { nonce: 'AAAAAAAAAAAAAAAAAAAAAAAA' }), type: 'badNonce', status: 400 },
  { name: 'wrong url', send: () => alice.post(alice.directory.newOrder, {}, { url: alice.directory.newAccount }), type: 'unauthorized', status: 403 },
  { name: 'absent url', send: () => alice.post(alice.directory.newOrder, {}, { header: { url: undefined } }), type: 'malformed', status: 400 },
  { name: 'wrong content type (415)', send: () => alice.post(alice.directory.newOrder, {}, { contentType: 'application/json' }), type: 'malformed', status: 415 },
  { name: 'oversize body (413)', send: () => alice.send(alice.directory.newOrder, raw({ protected: 'x'.repeat(70_000), payload: '', signature: '' })), type: 'malformed', status: 413 },
  { name: 'oversize body sent chunked (413)', send: () => alice.send(alice.directory.newOrder, raw({ protected: 'x'.repeat(70_000), payload: '', signature: '' }), undefined, { chunked: true }), type: 'malformed', status: 413 },
  { name: 'body of 1 MiB sent chunked (413)', send: () => alice.send(alice.directory.newOrder, `{"protected":"${'x'.repeat(1 << 20)}"}`, undefined, { chunked: true }), type: 'malformed', status: 413 },
  { name: 'JSON body nested 10,000 deep', send: () => alice.send(alice.directory.newOrder, `{"protected":${'['.repeat(10_000)}${']'.repeat(10_000)}}`), type: 'malformed', status: 400 },
  { name: 'signed payload nested 10,000 deep', send: () => alice.post(alice.directory.newOrder, `{"identifiers":${'['.repeat(10_000)}${']'.repeat(10_000)}}`), type: 'malformed', status: 400 },
  { name: 'protected header nested 40 deep', send: async () => alice.send(alice.directory.newOrder, raw({ protected: b64(`{"alg":"ES256","x":${'['.repeat(40)}${']'.repeat(40)}}`), payload: b64({}), signature: 'AAAA' })), type: 'malformed', status: 400 },
  { name: 'gzip-compressed body (415)', send: async () => alice.send(alice.directory.newOrder, gzipSync(raw(await alice.jws(alice.directory.newOrder, {}))), undefined, { headers: { 'content-encoding': 'gzip' } }), type: 'malformed', status: 415 },
  { name: 'compact serialization', send: () => alice.send(alice.directory.newOrder, raw('eyJhbGciOiJFUzI1NiJ9.e30.AAAA')), type: 'malformed', status: 400 },
  { name: 'not JSON', send: () => alice.send(alice.directory.newOrder, '{"protected":'), type: 'malformed', status: 400 },
  {
    name: 'unprotected header',
    send: async () => alice.send(alice.directory.newOrder, raw({ ...(await alice.jws(alice.directory.newOrder, {})), header: { kid: 'x' } })),
    type: 'malformed',
    status: 400,
  },
  {
    name: 'general serialization',
    send: async () => {
      const jws = await alice.jws(alice.directory.newOrder, {});
      return alice.send(alice.directory.newOrder, raw({ payload: jws['payload'], signatures: [{ protected: jws['protected'], signature: jws['signature'] }] }));
    },
    type: 'malformed',
    status: 400,
  },
  { name: 'signature by another key', send: async () => alice.post(alice.directory.newOrder, {}, { key: await accountKey('ES256'), useJwk: false, kid: alice.kid }), type: 'malformed', status: 400 },
  {
    name: 'alg not matching the key (ES384 header, P-256 key)',
    send: async () => alice.send(alice.directory.newOrder, raw(manualJws({ alg: 'ES384', kid: alice.kid, nonce: await alice.nonce(), url: alice.directory.newOrder }, {}, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey))),
    type: 'badSignatureAlgorithm',
    status: 400,
  },
  {
    name: 'private key material in jwk',
    send: async () => {
      const key = await accountKey('ES256');
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return alice.post(alice.directory.newAccount, {}, { key, useJwk: true, header: { jwk: { ...(await exportJWK(privateKey)) } } });
    },
    type: 'badPublicKey',
    status: 400,
  },
  {
    name: 'RSA 1024 account key',
    send: async () => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const header = { alg: 'RS256', jwk: await exportJWK(publicKey), nonce: await alice.nonce(), url: alice.directory.newAccount };
      return alice.send(alice.directory.newAccount, raw(manualJws(header, {}, privateKey)));
    },
    type: 'badPublicKey',
    status: 400,
  },
  { name: 'onlyReturnExisting for an unknown key', send: async () => (await RawAcmeClient.create(harness.directoryUrl)).createAccount({ onlyReturnExisting: true }), type: 'accountDoesNotExist', status: 400 },
  { name: 'non-mailto contact', send: async () => (await RawAcmeClient.create(harness.directoryUrl)).createAccount({ contact: ['tel:+15550100'] }), type: 'unsupportedContact', status: 400 },
  { name: 'malformed e-mail contact', send: async () => (await RawAcmeClient.create(harness.directoryUrl)).createAccount({ contact: ['mailto:not an address'] }), type: 'invalidContact', status: 400 },
  { name: 'public IP identifier', send: () => alice.newOrder(['8.8.8.8']), type: 'rejectedIdentifier', status: 400 },
  { name: 'CGNAT identifier', send: () => alice.newOrder(['100.64.0.1']), type: 'rejectedIdentifier', status: 400 },
  { name: 'IPv4-mapped IPv6 identifier', send: () => alice.newOrder(['::ffff:10.0.0.1']), type: 'rejectedIdentifier', status: 400 },
  { name: 'IPv6 identifier', send: () => alice.newOrder(['fd00::1']), type: 'rejectedIdentifier', status: 400 },
  { name: 'non-canonical IPv4', send: () => alice.newOrder(['10.0.0.010']), type: 'malformed', status: 400 },
  { name: 'dns identifier holding an IP', send: () => alice.post(alice.directory.newOrder, { identifiers: [{ type: 'dns', value: '10.0.0.1' }] }), type: 'rejectedIdentifier', status: 400 },
  { name: 'dns name identifier', send: () => alice.post(alice.directory.newOrder, { identifiers: [{ type: 'dns', value: 'host.internal' }] }), type: 'unsupportedIdentifier', status: 400 },
  { name: 'too many identifiers', send: () => alice.newOrder(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']), type: 'rejectedIdentifier', status: 400 },
  { name: 'notAfter beyond a year', send: () => alice.newOrder(['10.0.0.1'], { notAfter: new Date(Date.now() + 400 * 86_400_000).toISOString() }), type: 'malformed', status: 400 },
  { name: 'finalize before ready', send: () => alice.post(aliceOrder.finalize, csrPayload(['127.0.1.1'])), type: 'orderNotReady', status: 403 },
  { name: "another account's authorization", send: () => bob.fetch(aliceOrder.authorizations[0]!), type: 'unauthorized', status: 403 },
  { name: "another account's order", send: () => bob.fetch(aliceOrder.url), type: 'unauthorized', status: 403 },
  { name: "another account's account URL", send: () => bob.fetch(alice.kid!), type: 'unauthorized', status: 403 },
  { name: 'POST-as-GET with a payload', send: () => alice.post(aliceOrder.url, { status: 'valid' }), type: 'malformed', status: 400 },
  { name: 'client sets order-irrelevant account status', send: () => alice.post(alice.kid!, { status: 'revoked' }), type: 'malformed', status: 400 },
  { name: 'GET on a POST-only resource (405)', send: async () => toReply(await fetch(alice.directory.newOrder)), type: 'malformed', status: 405 },
  { name: 'unknown ACME resource (404)', send: async () => toReply(await fetch(`${harness.baseUrl}/acme/nothing-here`)), type: 'malformed', status: 404 },
  { name: 'unknown order id (404)', send: () => alice.fetch(`${harness.baseUrl}/acme/order/AAAAAAAAAAAAAAAA`), type: 'malformed', status: 404 },
  { name: 'revocation with a bad reason', send: () => alice.post(alice.directory.revokeCert, { certificate: 'AAAA', reason: 2 }), type: 'badRevocationReason', status: 400 },
];

async function toReply(response: Response): Promise<AcmeReply> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

describe('protocol violations get the RFC problem type and status', () => {
  it('covers at least 30 violations', () => {
    expect(violations.length).toBeGreaterThanOrEqual(30);
  });

  it.each(violations.map((violation) => [violation.name, violation] as const))('%s', async (_name, violation) => {
    expectProblem(await violation.send(), violation.type, violation.status);
  });

  it('badSignatureAlgorithm lists the accepted algorithms', async () => {
    const reply = await violations[0]!.send();
    expect(reply.json()['algorithms']).toEqual(['RS256', 'ES256', 'ES384']);
  });

  it('a replayed nonce is refused with badNonce and the response carries a fresh nonce that works', async () => {
    const nonce = await alice.nonce();
    expect((await alice.post(aliceOrder.url, '', { nonce })).status).toBe(200);
    const replay = await alice.post(aliceOrder.url, '', { nonce });
    expectProblem(replay, 'badNonce', 400);
    const fresh = replay.headers.get('replay-nonce')!;
    expect(fresh).not.toBe(nonce);
    expect((await alice.post(aliceOrder.url, '', { nonce: fresh })).status).toBe(200);
  });

  it('refused identifiers are reported per identifier in subproblems', async () => {
    const reply = await alice.post(alice.directory.newOrder, { identifiers: [{ type: 'ip', value: '8.8.8.8' }, { type: 'dns', value: 'a.example' }, { type: 'ip', value: '10.1.1.1' }] });
    expectProblem(reply, 'compound', 400);
    const subproblems = reply.json<{ subproblems: Array<{ type: string; identifier: { value: string } }> }>().subproblems;
    expect(subproblems.map((sub) => [sub.type, sub.identifier.value])).toEqual([
      [E + 'rejectedIdentifier', '8.8.8.8'],
      [E + 'unsupportedIdentifier', 'a.example'],
    ]);
  });
});

describe('finalize rules', () => {
  it('a CSR whose IPs differ from the order is badCSR, and the order stays ready', async () => {
    const order = await readyOrder(alice, ['127.0.2.1', '127.0.2.2']);
    expectProblem(await alice.post(order.finalize, csrPayload(['127.0.2.1'])), 'badCSR', 400);
    expectProblem(await alice.post(order.finalize, csrPayload(['127.0.2.1', '127.0.2.2', '127.0.2.3'])), 'badCSR', 400);
    expect((await alice.fetch(order.url)).json()['status']).toBe('ready');
    const audit = await harness.store.list({ requestId: order.url.split('/').at(-1)! });
    expect(audit.filter((entry) => entry.event === 'refused')).toHaveLength(2);
  });

  it('a CSR with a public IP, an empty subject or a CN that is one of the IPs', async () => {
    const order = await readyOrder(alice, ['127.0.3.1', '127.0.3.2']);
    expectProblem(await alice.post(order.finalize, csrPayload(['127.0.3.1', '8.8.8.8'])), 'badCSR', 400);
    const emptySubject = await alice.post(order.finalize, csrPayload(['127.0.3.2', '127.0.3.1'], { subject: seq() }));
    expect(emptySubject.status).toBe(200);
    const other = await readyOrder(alice, ['127.0.3.3']);
    expect((await alice.post(other.finalize, csrPayload(['127.0.3.3']))).json()['status']).toBe('valid');
  });

  it('a CSR for the account key is badCSR', async () => {
    const order = await readyOrder(alice, ['127.0.4.1']);
    const privateKey = KeyObject.from(alice.key.privateKey);
    const spki = Uint8Array.from(KeyObject.from(await globalThis.crypto.subtle.importKey('jwk', alice.key.publicJwk, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify'])).export({ type: 'spki', format: 'der' }));
    const accountKeyCsr = buildCsr({ key: { kind: 'p256', privateKey, spki }, ips: ['127.0.4.1'] });
    expectProblem(await alice.post(order.finalize, { csr: Buffer.from(accountKeyCsr.der).toString('base64url') }), 'badCSR', 400);
    expect((await alice.post(order.finalize, csrPayload(['127.0.4.1']))).status).toBe(200);
  });

  it('concurrent finalize requests issue exactly one certificate', async () => {
    const order = await readyOrder(alice, ['127.0.5.1']);
    const replies = await Promise.all(Array.from({ length: 6 }, () => alice.post(order.finalize, csrPayload(['127.0.5.1']))));
    const statuses = replies.map((reply) => reply.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    for (const reply of replies.filter((candidate) => candidate.status !== 200)) expectProblem(reply, 'orderNotReady', 403);
    const issued = (await harness.store.list({ limit: 10_000 })).filter((entry) => entry.event === 'issued' && entry.ips?.includes('127.0.5.1'));
    expect(issued).toHaveLength(1);
  });
});

describe('validation failures', () => {
  async function failOn(setup: (token: string) => void): Promise<{ authorization: Record<string, unknown>; order: Record<string, unknown> }> {
    const reply = await alice.newOrder(['127.0.6.' + Math.floor(Math.random() * 200 + 1)]);
    const order = reply.json<{ authorizations: string[] }>();
    const authorization = (await alice.fetch(order.authorizations[0]!)).json<{ challenges: Array<{ type: string; url: string; token: string }> }>();
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01')!;
    setup(challenge.token);
    await alice.post(challenge.url, {});
    const settled = await alice.pollUntil(order.authorizations[0]!, (body) => body['status'] !== 'pending');
    return { authorization: settled, order: (await alice.fetch(reply.headers.get('location')!)).json() };
  }

  it('a wrong response makes the authorization and the order invalid, with the error in the challenge', async () => {
    const { authorization, order } = await failOn((token) => harness.http01.tokens.set(token, 'wrong'));
    expect(authorization['status']).toBe('invalid');
    const [challenge] = authorization['challenges'] as Array<{ status: string; error: { type: string; status: number } }>;
    expect(challenge).toMatchObject({ status: 'invalid', error: { type: E + 'incorrectResponse', status: 403 } });
    expect(order['status']).toBe('invalid');
    expect(order['error']).toMatchObject({ type: E + 'unauthorized' });
  });

  it('a responder that redirects to another host fails the challenge', async () => {
    // The other host is a loopback address too, so even a validator that followed it would stay on this machine.
    let path = '';
    const { authorization } = await failOn((token) => {
      path = `/.well-known/acme-challenge/${token}`;
      harness.http01.overrides.set(path, { status: 302, headers: { location: `http://127.0.0.99${path}` } });
    });
    const [challenge] = authorization['challenges'] as Array<{ status: string; error: { type: string; detail: string } }>;
    expect(challenge).toMatchObject({ status: 'invalid', error: { type: E + 'connection' } });
    expect(challenge!.error.detail).toMatch(/http:\/\/127\.0\.0\.99\/.* not followed/);
    // Asked once (one attempt), and the redirect was not fetched.
    expect(harness.http01.requests.filter((request) => request.path === path)).toHaveLength(1);
  });
});

describe('accounts, authorizations and key rollover', () => {
  it('newAccount with an existing key returns 200 and the same Location', async () => {
    const again = await alice.post(alice.directory.newAccount, { termsOfServiceAgreed: true }, { useJwk: true });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(alice.kid);
  });

  it('the orders list is paginated with Link rel="next"', async () => {
    const client = await RawAcmeClient.create(harness.directoryUrl);
    await client.createAccount();
    const harness2Orders = [];
    for (let index = 1; index <= 3; index++) harness2Orders.push((await client.newOrder([`10.9.9.${index}`])).headers.get('location'));
    const ordersUrl = (await client.fetch(client.kid!)).json<{ orders: string }>().orders;
    const page = await client.fetch(ordersUrl);
    expect(page.json<{ orders: string[] }>().orders).toEqual([...harness2Orders].reverse());
    expect(page.headers.get('link')).not.toContain('rel="next"');
  });

  it('an authorization can be deactivated once, and the order becomes invalid', async () => {
    const reply = await alice.newOrder(['10.8.8.8']);
    const order = reply.json<{ authorizations: string[] }>();
    const deactivated = await alice.post(order.authorizations[0]!, { status: 'deactivated' });
    expect(deactivated.json()['status']).toBe('deactivated');
    expectProblem(await alice.post(order.authorizations[0]!, { status: 'deactivated' }), 'malformed', 400);
    expect((await alice.fetch(reply.headers.get('location')!)).json()['status']).toBe('invalid');
  });

  it('key rollover mistakes are refused; a correct rollover switches the key', async () => {
    const client = await RawAcmeClient.create(harness.directoryUrl);
    await client.createAccount();
    const newKey = await accountKey('ES384');
    const keyChange = client.directory.keyChange;
    const inner = (payload: unknown, options: Parameters<RawAcmeClient['jws']>[2] = {}) => client.jws(keyChange, payload, { key: newKey, useJwk: true, nonce: null, ...options });
    const good = { account: client.kid, oldKey: client.key.publicJwk };
    expectProblem(await client.post(keyChange, await inner(good, { url: client.directory.newOrder })), 'malformed', 400);
    expectProblem(await client.post(keyChange, await inner(good, { nonce: await client.nonce() })), 'malformed', 400);
    expectProblem(await client.post(keyChange, await inner({ ...good, oldKey: newKey.publicJwk })), 'unauthorized', 403);
    expectProblem(await client.post(keyChange, await inner({ ...good, account: alice.kid })), 'unauthorized', 403);
    expectProblem(await client.post(keyChange, await inner(good, { key: await accountKey('ES384'), header: { jwk: newKey.publicJwk } })), 'malformed', 400);
    const conflict = await client.post(keyChange, await inner({ ...good }, { key: bob.key }));
    expectProblem(conflict, 'malformed', 409);
    expect(conflict.headers.get('location')).toBe(bob.kid);

    expect((await client.post(keyChange, await inner(good))).status).toBe(200);
    // The old P-256 key no longer matches the account's (now P-384) key.
    expectProblem(await client.fetch(client.kid!), 'badSignatureAlgorithm', 400);
    const oldKey = client.key;
    client.key = newKey;
    expect((await client.fetch(client.kid!)).json()['status']).toBe('valid');
    expect((await client.post(client.directory.newAccount, {}, { useJwk: true, key: oldKey })).status).toBe(201);
  });

  it('a deactivated account can no longer act', async () => {
    const client = await RawAcmeClient.create(harness.directoryUrl);
    await client.createAccount();
    expect((await client.post(client.kid!, { status: 'deactivated' })).json()['status']).toBe('deactivated');
    expectProblem(await client.newOrder(['10.0.0.1']), 'unauthorized', 403);
  });
});
