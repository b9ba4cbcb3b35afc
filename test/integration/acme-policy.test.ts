import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { startAcmeHarness, type AcmeHarness } from '../support/acme-harness.js';
import { keyAuthorizationFor, RawAcmeClient } from '../support/acme-test-client.js';

/** Server policies around the protocol: rate limits, expiry, terms of service, pagination, ARI. */

let harness: AcmeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const E = 'urn:ietf:params:acme:error:';

describe('rate limits', () => {
  it('newAccount per client address and newOrder per account answer rateLimited with Retry-After', async () => {
    harness = await startAcmeHarness({ newAccountRate: { max: 2, periodMs: 3_600_000 }, newOrderRate: { max: 1, periodMs: 60_000 } });
    const first = await RawAcmeClient.create(harness.directoryUrl);
    expect((await first.createAccount()).status).toBe(201);
    expect((await (await RawAcmeClient.create(harness.directoryUrl)).createAccount()).status).toBe(201);
    const third = await (await RawAcmeClient.create(harness.directoryUrl)).createAccount();
    expect(third.status).toBe(429);
    expect(third.json()['type']).toBe(E + 'rateLimited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);

    expect((await first.newOrder(['10.0.0.1'])).status).toBe(201);
    const limited = await first.newOrder(['10.0.0.2']);
    expect(limited.status).toBe(429);
    expect(limited.json()['type']).toBe(E + 'rateLimited');
    expect(limited.headers.get('retry-after')).toBe('60');
  });

  it('looking an account up (its key again, or onlyReturnExisting) is not charged to the new-account limit', async () => {
    harness = await startAcmeHarness({ newAccountRate: { max: 2, periodMs: 3_600_000 } });
    const owner = await RawAcmeClient.create(harness.directoryUrl);
    expect((await owner.createAccount()).status).toBe(201);
    for (let run = 0; run < 3; run += 1) {
      expect((await owner.createAccount()).status).toBe(200);
      expect((await owner.createAccount({ onlyReturnExisting: true })).status).toBe(200);
    }
    const unknown = await (await RawAcmeClient.create(harness.directoryUrl)).createAccount({ onlyReturnExisting: true });
    expect(unknown.json()['type']).toBe(E + 'accountDoesNotExist');
    expect((await (await RawAcmeClient.create(harness.directoryUrl)).createAccount()).status).toBe(201);
    expect((await (await RawAcmeClient.create(harness.directoryUrl)).createAccount()).status).toBe(429);
  });
});

describe('expiry (derived from the clock, RFC 8555 §7.1.6)', () => {
  it('a pending order and its authorizations expire; the order becomes invalid', async () => {
    let now = Date.now();
    harness = await startAcmeHarness({ pendingLifetimeMs: 60_000 }, { clock: { now: () => new Date(now) } });
    const client = await RawAcmeClient.create(harness.directoryUrl);
    await client.createAccount();
    const reply = await client.newOrder(['10.1.2.3']);
    const order = reply.json<{ authorizations: string[]; expires: string }>();
    expect(Date.parse(order.expires)).toBe(now + 60_000);
    now += 61_000;
    expect((await client.fetch(order.authorizations[0]!)).json()['status']).toBe('expired');
    const expired = (await client.fetch(reply.headers.get('location')!)).json<{ status: string; error: { detail: string } }>();
    expect(expired.status).toBe('invalid');
    expect(expired.error.detail).toMatch(/expired/);
  });
});

describe('terms of service and directory meta', () => {
  it('announces terms and website; refuses an account that does not agree', async () => {
    harness = await startAcmeHarness({ termsOfService: 'https://ca.internal/tos', website: 'https://ca.internal/' });
    const client = await RawAcmeClient.create(harness.directoryUrl);
    expect(client.directory.meta).toEqual({ termsOfService: 'https://ca.internal/tos', website: 'https://ca.internal/', externalAccountRequired: false });
    const refused = await client.createAccount({});
    expect(refused.json()).toMatchObject({ type: E + 'userActionRequired', status: 403 });
    expect((await client.createAccount({ termsOfServiceAgreed: true })).status).toBe(201);
  });
});

describe('orders list pagination', () => {
  it('pages follow Link rel="next" until every order was listed once', async () => {
    harness = await startAcmeHarness({ ordersPerPage: 2 });
    const client = await RawAcmeClient.create(harness.directoryUrl);
    await client.createAccount();
    const created: string[] = [];
    for (let n = 1; n <= 5; n++) created.push((await client.newOrder([`10.7.7.${n}`])).headers.get('location')!);
    const seen: string[] = [];
    let url: string | undefined = (await client.fetch(client.kid!)).json<{ orders: string }>().orders;
    for (let page = 0; url && page < 10; page++) {
      const reply = await client.fetch(url);
      seen.push(...reply.json<{ orders: string[] }>().orders);
      url = /<([^>]+)>;rel="next"/.exec(reply.headers.get('link') ?? '')?.[1];
    }
    expect(seen).toEqual([...created].reverse());
  });
});

describe('renewal information (RFC 9773)', () => {
  it('answers for an issued certificate with a window in the last third of its lifetime', async () => {
    harness = await startAcmeHarness();
    const client = await RawAcmeClient.create(harness.directoryUrl);
    await client.createAccount();
    const reply = await client.newOrder(['127.0.9.1']);
    const order = reply.json<{ authorizations: string[]; finalize: string }>();
    const authorization = (await client.fetch(order.authorizations[0]!)).json<{ challenges: Array<{ type: string; url: string; token: string }> }>();
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01')!;
    harness.http01.tokens.set(challenge.token, keyAuthorizationFor(challenge.token, client.key));
    // The validation settles within the challenge response: it already says valid.
    expect((await client.post(challenge.url, {})).json()['status']).toBe('valid');
    const csr = buildCsr({ key: freshKey('p256'), ips: ['127.0.9.1'] });
    const valid = (await client.post(order.finalize, { csr: Buffer.from(csr.der).toString('base64url') })).json<{ certificate: string }>();
    const chain = (await client.fetch(valid.certificate)).text;
    const leaf = new X509Certificate(chain);
    const certId = `${Buffer.from(authorityKeyId(leaf), 'hex').toString('base64url')}.${Buffer.from(leaf.serialNumber, 'hex').toString('base64url')}`;
    const info = await fetch(`${harness.baseUrl}/acme/renewal-info/${certId}`);
    expect(info.status).toBe(200);
    expect(info.headers.get('retry-after')).toBe('21600');
    const window = ((await info.json()) as { suggestedWindow: { start: string; end: string } }).suggestedWindow;
    const from = Date.parse(leaf.validFrom);
    const lifetime = Date.parse(leaf.validTo) - from;
    expect(Date.parse(window.start) - from).toBeGreaterThanOrEqual((2 * lifetime) / 3 - 1000);
    expect(Date.parse(window.end)).toBeLessThan(Date.parse(leaf.validTo));
    expect((await fetch(`${harness.baseUrl}/acme/renewal-info/AAAA.AAAA`)).status).toBe(404);
  });
});

/** The authority key identifier of a certificate, as hex (from its DER, no extra parser needed). */
function authorityKeyId(certificate: X509Certificate): string {
  const der = certificate.raw.toString('hex');
  // id-ce-authorityKeyIdentifier 2.5.29.35 = 06 03 55 1d 23, then OCTET STRING { SEQUENCE { [0] keyIdentifier } }
  const at = der.indexOf('0603551d23');
  const match = /^0603551d23(?:0101ff)?04..30..80(..)/.exec(der.slice(at));
  const length = parseInt(match![1]!, 16);
  const start = at + match![0].length;
  return der.slice(start, start + length * 2);
}
