import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeHarness, type AcmeHarness } from '../support/acme-harness.js';
import { issueCertificate, readyOrder, SteppingClock, validateAuthorizations, type OrderBody } from '../support/acme-flows.js';
import { RawAcmeClient } from '../support/acme-test-client.js';

/** RFC 8555 §7.4: a new order may reuse the account's valid authorizations (--acme-reuse-valid-authz). */

const DAY = 24 * 3_600_000;

async function account(harness: AcmeHarness): Promise<RawAcmeClient> {
  const client = await RawAcmeClient.create(harness.directoryUrl);
  expect((await client.createAccount()).status).toBe(201);
  return client;
}

async function newOrder(client: RawAcmeClient, ips: readonly string[]): Promise<{ url: string; body: OrderBody }> {
  const reply = await client.newOrder(ips);
  expect(reply.status, reply.text).toBe(201);
  return { url: reply.headers.get('location')!, body: reply.json<OrderBody>() };
}

describe('with reuse on (the default)', () => {
  const clock = new SteppingClock();
  let harness: AcmeHarness;

  beforeAll(async () => {
    harness = await startAcmeHarness({ pendingLifetimeMs: DAY, validAuthorizationLifetimeMs: 2 * DAY }, { clock });
  });

  afterAll(() => harness.close());

  it('an order for an IP the account validated is ready at once, with the same authorization, and is finalized', async () => {
    const client = await account(harness);
    const first = await issueCertificate(harness, client, ['127.0.6.1']);
    const firstOrder = (await client.fetch(first.orderUrl)).json<OrderBody>();
    const dialsBefore = harness.dialed.length;
    const second = await issueCertificate(harness, client, ['127.0.6.1']);
    const secondOrder = (await client.fetch(second.orderUrl)).json<OrderBody>();
    expect(secondOrder.authorizations).toEqual(firstOrder.authorizations);
    expect(harness.dialed.length).toBe(dialsBefore);
    expect(second.serialNumber).not.toBe(first.serialNumber);

    const third = await client.newOrder(['127.0.6.1']);
    expect(third.json<OrderBody>()).toMatchObject({ status: 'ready', authorizations: firstOrder.authorizations });
  });

  it('an order reusing an authorization expires with it when that comes first, else after the pending lifetime', async () => {
    const client = await account(harness);
    const { body: first } = await readyOrder(harness, client, ['127.0.6.2']);
    const authorization = (await client.fetch(first.authorizations[0]!)).json<{ expires: string }>();
    const soon = (await newOrder(client, ['127.0.6.2'])).body;
    expect(soon.status).toBe('ready');
    expect(Date.parse(authorization.expires) - Date.parse(soon.expires)).toBeGreaterThan(DAY / 2);
    clock.advance(1.5 * DAY);
    try {
      const later = (await newOrder(client, ['127.0.6.2'])).body;
      expect(later).toMatchObject({ status: 'ready', expires: authorization.expires });
    } finally {
      clock.advance(-1.5 * DAY);
    }
  });

  it('mixes reused and new authorizations in the order of the identifiers', async () => {
    const client = await account(harness);
    const { body: earlier } = await readyOrder(harness, client, ['127.0.7.2']);
    const { body, url } = await newOrder(client, ['127.0.7.1', '127.0.7.2']);
    expect(body.status).toBe('pending');
    expect(body.authorizations[1]).toBe(earlier.authorizations[0]);
    expect(body.authorizations[0]).not.toBe(earlier.authorizations[0]);
    await validateAuthorizations(harness, client, [body.authorizations[0]!]);
    expect((await client.fetch(url)).json()['status']).toBe('ready');
  });

  it('never reuses another account\'s, a deactivated or an expired authorization', async () => {
    const [owner, other] = await Promise.all([account(harness), account(harness)]);
    const { body: validated } = await readyOrder(harness, owner, ['127.0.8.1']);
    const { body: foreign } = await newOrder(other, ['127.0.8.1']);
    expect(foreign.status).toBe('pending');
    expect(foreign.authorizations).not.toContain(validated.authorizations[0]);

    const { body: again } = await readyOrder(harness, owner, ['127.0.8.2']);
    expect((await owner.post(again.authorizations[0]!, { status: 'deactivated' })).status).toBe(200);
    const { body: afterDeactivation } = await newOrder(owner, ['127.0.8.2']);
    expect(afterDeactivation.status).toBe('pending');

    clock.advance(3 * DAY);
    try {
      const { body: afterExpiry } = await newOrder(owner, ['127.0.8.1']);
      expect(afterExpiry.status).toBe('pending');
      expect(afterExpiry.authorizations).not.toContain(validated.authorizations[0]);
    } finally {
      clock.advance(-3 * DAY);
    }
  });
});

describe('with reuse off (--acme-reuse-valid-authz false)', () => {
  let harness: AcmeHarness;

  beforeAll(async () => {
    harness = await startAcmeHarness({ reuseValidAuthz: false });
  });

  afterAll(() => harness.close());

  it('every order gets new pending authorizations and is validated again', async () => {
    const client = await account(harness);
    const first = await issueCertificate(harness, client, ['127.0.9.1']);
    const firstOrder = (await client.fetch(first.orderUrl)).json<OrderBody>();
    const { body } = await newOrder(client, ['127.0.9.1']);
    expect(body.status).toBe('pending');
    expect(body.authorizations).toHaveLength(1);
    expect(body.authorizations[0]).not.toBe(firstOrder.authorizations[0]);
    const dialsBefore = harness.dialed.length;
    await validateAuthorizations(harness, client, body.authorizations);
    expect(harness.dialed.length).toBe(dialsBefore + 1);
  });
});
