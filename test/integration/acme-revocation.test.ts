import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeHarness, type AcmeHarness } from '../support/acme-harness.js';
import { certificateSigningKey, counterValue, issueCertificate, readyOrder, revokeCertificate, SteppingClock } from '../support/acme-flows.js';
import { RawAcmeClient, type AcmeReply } from '../support/acme-test-client.js';

/**
 * RFC 8555 §7.6 revocation authority — the issuing account, an account holding valid
 * authorizations for every IP of the certificate, the certificate key — and the revocation's trace
 * in the shared ledger, the audit log and the metrics (docs/ARCHITECTURE.md §1).
 */

const E = 'urn:ietf:params:acme:error:';
const DAY = 24 * 3_600_000;
const clock = new SteppingClock();
let harness: AcmeHarness;

beforeAll(async () => {
  harness = await startAcmeHarness({}, { clock });
});

afterAll(() => harness.close());

async function account(alg: 'ES256' | 'RS256' = 'ES256'): Promise<RawAcmeClient> {
  const client = await RawAcmeClient.create(harness.directoryUrl, alg);
  expect((await client.createAccount()).status).toBe(201);
  return client;
}

function expectUnauthorized(reply: AcmeReply): void {
  expect(reply.status).toBe(403);
  expect(reply.json()).toMatchObject({ type: `${E}unauthorized`, status: 403 });
}

function accountId(client: RawAcmeClient): string {
  return client.kid!.split('/').at(-1)!;
}

describe('revocation by an account holding valid authorizations for every IP (RFC 8555 §7.6)', () => {
  it('B, which validated the same IP, revokes A\'s certificate; C, which did not, is unauthorized', async () => {
    const [a, b, c] = await Promise.all([account(), account('RS256'), account()]);
    const issued = await issueCertificate(harness, a, ['127.0.2.1']);
    await readyOrder(harness, c, ['127.0.2.99']);
    expectUnauthorized(await revokeCertificate(c, issued.leafDer, 1));
    expect((await harness.store.findCertificate(issued.serialNumber))?.revokedAt).toBeUndefined();

    await readyOrder(harness, b, ['127.0.2.1']);
    const revoked = await revokeCertificate(b, issued.leafDer, 1);
    expect(revoked.status, revoked.text).toBe(200);

    const ledger = await harness.store.findCertificate(issued.serialNumber);
    expect(ledger).toMatchObject({ serialNumber: issued.serialNumber, door: 'acme', revocationReason: 1 });
    expect(ledger?.revokedAt).toBeInstanceOf(Date);
    const audit = (await harness.store.list()).filter((entry) => entry.serialNumber === issued.serialNumber);
    expect(audit.map((entry) => entry.event)).toEqual(['issued', 'revoked']);
    expect(audit[1]).toMatchObject({ door: 'acme', ips: ['127.0.2.1'], requestId: issued.orderUrl.split('/').at(-1) });
    expect(audit[1]!.requester).toContain(`acme-account:${accountId(b)}`);
    expect(audit[1]!.detail).toBe('reason keyCompromise (1); authorised as an account holding valid authorizations for every IP');
    expect((await revokeCertificate(a, issued.leafDer)).json()).toMatchObject({ type: `${E}alreadyRevoked`, status: 400 });
  });

  it('authorizations for only some of the certificate\'s IPs are not enough', async () => {
    const [a, b] = await Promise.all([account(), account()]);
    const issued = await issueCertificate(harness, a, ['127.0.3.1', '127.0.3.2']);
    await readyOrder(harness, b, ['127.0.3.1']);
    const refused = await revokeCertificate(b, issued.leafDer);
    expectUnauthorized(refused);
    expect(refused.json<{ detail: string }>().detail).toContain('127.0.3.2');
    await readyOrder(harness, b, ['127.0.3.2']);
    expect((await revokeCertificate(b, issued.leafDer)).status).toBe(200);
  });

  it('an expired or deactivated authorization does not authorise', async () => {
    const [a, b, d] = await Promise.all([account(), account(), account()]);
    const first = await issueCertificate(harness, a, ['127.0.4.1']);
    const { body } = await readyOrder(harness, d, ['127.0.4.1']);
    expect((await d.post(body.authorizations[0]!, { status: 'deactivated' })).status).toBe(200);
    expectUnauthorized(await revokeCertificate(d, first.leafDer));

    await readyOrder(harness, b, ['127.0.4.1']);
    clock.advance(31 * DAY);
    try {
      expectUnauthorized(await revokeCertificate(b, first.leafDer));
      // The issuing account keeps its authority whatever its authorizations.
      expect((await revokeCertificate(a, first.leafDer)).status).toBe(200);
    } finally {
      clock.advance(-31 * DAY);
    }
  });
});

describe('revocation in the shared ledger, audit log and metrics', () => {
  it('each authority is recorded, and smsgate_ca_certificates_revoked_total counts by door and reason', async () => {
    const a = await account();
    const superseded = () => counterValue(harness, 'smsgate_ca_certificates_revoked_total', { door: 'acme', reason: 'superseded' });
    const revokedDetails = async (serialNumber: string) =>
      (await harness.store.list()).filter((entry) => entry.serialNumber === serialNumber && entry.event === 'revoked').map((entry) => [entry.requester, entry.detail]);
    const before = await superseded();

    const byAccount = await issueCertificate(harness, a, ['127.0.5.1']);
    expect((await revokeCertificate(a, byAccount.leafDer, 4)).status).toBe(200);
    expect(await superseded()).toBe(before + 1);
    expect(await revokedDetails(byAccount.serialNumber)).toEqual([[`127.0.0.1 acme-account:${accountId(a)}`, 'reason superseded (4); authorised as the account that obtained it']]);

    const byKey = await issueCertificate(harness, a, ['127.0.5.2']);
    const stranger = await RawAcmeClient.create(harness.directoryUrl);
    expectUnauthorized(await revokeCertificate(stranger, byKey.leafDer, 4, { useJwk: true }));
    expect(await superseded()).toBe(before + 1);
    const signedByKey = await revokeCertificate(stranger, byKey.leafDer, 4, { useJwk: true, key: await certificateSigningKey(byKey.key) });
    expect(signedByKey.status, signedByKey.text).toBe(200);
    expect(await revokedDetails(byKey.serialNumber)).toEqual([['127.0.0.1 certificate-key', 'reason superseded (4); authorised as the certificate key']]);
    expect(await superseded()).toBe(before + 2);
    expect(await harness.metrics.registry.metrics()).toContain(`smsgate_ca_certificates_revoked_total{door="acme",reason="superseded"} ${before + 2}`);
  });
});
