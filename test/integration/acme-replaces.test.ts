import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeHarness, type AcmeHarness } from '../support/acme-harness.js';
import { ariCertificateId, issueCertificate, type AcmeIssued, type OrderBody } from '../support/acme-flows.js';
import { RawAcmeClient, type AcmeReply } from '../support/acme-test-client.js';

/** RFC 9773 §5: newOrder's `replaces` names a predecessor certificate, checked when present. */

const E = 'urn:ietf:params:acme:error:';
let harness: AcmeHarness;
let alice: RawAcmeClient;
let bob: RawAcmeClient;
let predecessor: AcmeIssued;
let predecessorId: string;

beforeAll(async () => {
  harness = await startAcmeHarness();
  [alice, bob] = await Promise.all([RawAcmeClient.create(harness.directoryUrl), RawAcmeClient.create(harness.directoryUrl)]);
  expect((await alice.createAccount()).status).toBe(201);
  expect((await bob.createAccount()).status).toBe(201);
  predecessor = await issueCertificate(harness, alice, ['127.0.10.1', '127.0.10.2']);
  predecessorId = ariCertificateId(predecessor.leafDer);
});

afterAll(() => harness.close());

function expectProblem(reply: AcmeReply, type: string, status: number): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toBe('application/problem+json');
  expect(reply.json()).toMatchObject({ type: E + type, status });
}

describe('newOrder "replaces" (RFC 9773 §5)', () => {
  it.each([
    ['not a string', () => ({ replaces: 42 })],
    ['not a certificate identifier', () => ({ replaces: 'no-dot-here' })],
    ['an unknown serial', () => ({ replaces: `${predecessorId.split('.')[0]}.AQIDBA` })],
    ['the serial under another authority key identifier', () => ({ replaces: `AAAA.${predecessorId.split('.')[1]}` })],
  ])('refuses %s with malformed (400)', async (_name, extra) => {
    expectProblem(await alice.newOrder(['127.0.10.1'], extra()), 'malformed', 400);
  });

  it('refuses a certificate of another account, as if unknown', async () => {
    const reply = await bob.newOrder(['127.0.10.1'], { replaces: predecessorId });
    expectProblem(reply, 'malformed', 400);
    expect(reply.json<{ detail: string }>().detail).toContain('no certificate this server issued to this account');
  });

  it('refuses an order sharing no identifier with the certificate', async () => {
    const reply = await alice.newOrder(['127.0.10.3'], { replaces: predecessorId });
    expectProblem(reply, 'malformed', 400);
    expect(reply.json<{ detail: string }>().detail).toContain('shares no identifier');
  });

  it('accepts one live replacement sharing an identifier, refuses a second with alreadyReplaced (409), and frees the certificate once it is invalid', async () => {
    const first = await alice.newOrder(['127.0.10.2', '127.0.10.9'], { replaces: predecessorId });
    expect(first.status, first.text).toBe(201);
    const firstOrder = first.json<OrderBody>();
    expect(firstOrder.replaces).toBe(predecessorId);
    expect((await alice.fetch(first.headers.get('location')!)).json()['replaces']).toBe(predecessorId);

    const second = await alice.newOrder(['127.0.10.1'], { replaces: predecessorId });
    expectProblem(second, 'alreadyReplaced', 409);
    expect(second.json<{ detail: string }>().detail).toContain(first.headers.get('location')!);

    // Deactivating its new authorization makes the first replacement invalid: the certificate may be replaced again.
    const pending = firstOrder.authorizations[1]!;
    expect((await alice.post(pending, { status: 'deactivated' })).status).toBe(200);
    expect((await alice.fetch(first.headers.get('location')!)).json()['status']).toBe('invalid');
    const third = await alice.newOrder(['127.0.10.1'], { replaces: predecessorId });
    expect(third.status, third.text).toBe(201);
    expect(third.json<OrderBody>().replaces).toBe(predecessorId);
  });

  it('a finalized replacement still counts as replacing', async () => {
    const own = await issueCertificate(harness, bob, ['127.0.11.1']);
    const ownId = ariCertificateId(own.leafDer);
    const renewed = await issueCertificate(harness, bob, ['127.0.11.1'], { replaces: ownId });
    expect((await bob.fetch(renewed.orderUrl)).json()).toMatchObject({ status: 'valid', replaces: ownId });
    expectProblem(await bob.newOrder(['127.0.11.1'], { replaces: ownId }), 'alreadyReplaced', 409);
    expect((await bob.newOrder(['127.0.11.1'])).status).toBe(201);
  });
});
