import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newAcmeId } from '../../src/acme/acme-ids.js';
import type { AcmeAccountRecord, AcmeAuthorizationRecord, AcmeStore, NewAcmeOrder } from '../../src/store/acme-store.js';
import type { CertificateLedger, RevocationLedger } from '../../src/store/interfaces.js';

/** One ACME store over some backing, with the certificate ledger its records point into. */
export interface AcmeStoreHandle {
  readonly acme: AcmeStore;
  readonly ledger: CertificateLedger & RevocationLedger;
}

export interface AcmeStoreBacking {
  /** A store; a second call returns another instance over the same backing (another replica, or the same one after a restart). */
  open(): Promise<AcmeStoreHandle>;
}

/** A fresh, empty backing for one test. */
export type AcmeBackingFactory = () => Promise<AcmeStoreBacking>;

const T0 = new Date('2030-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';

function thumbprint(): string {
  return randomBytes(32).toString('base64url');
}

function account(fields: Partial<AcmeAccountRecord> = {}): AcmeAccountRecord {
  return { id: newAcmeId(), thumbprint: thumbprint(), jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, contact: ['mailto:ops@example.internal'], status: 'valid', termsOfServiceAgreed: true, createdAt: T0, ...fields };
}

function authorization(orderId: string, accountId: string, ip: string, expires = at(7 * DAY)): AcmeAuthorizationRecord {
  const id = newAcmeId();
  return {
    id,
    accountId,
    orderId,
    ip,
    status: 'pending',
    expires,
    createdAt: T0,
    challenges: [
      { id: newAcmeId(), authorizationId: id, type: 'http-01', token: randomBytes(32).toString('base64url'), status: 'pending' },
      { id: newAcmeId(), authorizationId: id, type: 'tls-alpn-01', token: randomBytes(32).toString('base64url'), status: 'pending' },
    ],
  };
}

function order(accountId: string, ips: readonly string[], fields: Partial<NewAcmeOrder> = {}): NewAcmeOrder {
  const id = fields.id ?? newAcmeId();
  const authorizations = ips.map((ip) => authorization(id, accountId, ip, fields.expires));
  return { id, accountId, ips, authorizationIds: authorizations.map((a) => a.id), expires: at(7 * DAY), createdAt: T0, authorizations, ...fields };
}

function serial(): string {
  return `02${randomBytes(15).toString('hex')}`;
}

/** Records the certificate issued for an ACME order in the ledger, as the issuance service does. */
async function issueInLedger(handle: AcmeStoreHandle, orderId: string, ips: readonly string[], notAfter = at(365 * DAY)): Promise<string> {
  const serialNumber = serial();
  const certificatePem = `-----BEGIN CERTIFICATE-----\nMII${serialNumber.slice(0, 8)}\n-----END CERTIFICATE-----\n`;
  await handle.ledger.recordIssued(
    { serialNumber, door: 'acme', type: 'private_server', ips, notBefore: at(-HOUR), notAfter, requester: '127.0.0.1 acme-account:x', issuedAt: T0, certificatePem, requestId: orderId, csrPem: CSR },
    { at: T0, event: 'issued', door: 'acme', requester: '127.0.0.1', serialNumber, requestId: orderId, ips },
  );
  return serialNumber;
}

/** An order taken through finalize: its certificate in the ledger, linked from the order. */
async function validOrder(handle: AcmeStoreHandle, accountId: string, ips: readonly string[], notAfter = at(365 * DAY)): Promise<{ orderId: string; certificateId: string; serialNumber: string }> {
  const created = order(accountId, ips);
  await handle.acme.createOrder(created);
  expect(await handle.acme.beginFinalize(created.id, T0)).toBe(true);
  const serialNumber = await issueInLedger(handle, created.id, ips, notAfter);
  const certificateId = newAcmeId();
  await handle.acme.completeFinalize(created.id, { id: certificateId, serialNumber, accountId, notAfter });
  return { orderId: created.id, certificateId, serialNumber };
}

async function validate(acme: AcmeStore, authorizationId: string, expires: Date): Promise<void> {
  const found = await acme.findAuthorization(authorizationId);
  const challenge = found!.challenges[0]!;
  expect(await acme.startChallenge(challenge.id, T0)).toBe(true);
  await acme.completeChallenge(challenge.id, { status: 'valid', at: T0, authorizationExpires: expires });
}

/** The ACME store contract: one suite, run against every store (SQLite file, objects in the API server). */
export function describeAcmeStoreContract(name: string, freshBacking: AcmeBackingFactory): void {
  describe(`ACME store contract: ${name}`, () => {
    describe('accounts', () => {
      it('one account per key: a second create with the key returns the first; a key change moves the key', async () => {
        const { acme } = await (await freshBacking()).open();
        const first = account();
        expect(await acme.createAccount(first)).toMatchObject({ created: true, account: { id: first.id } });
        const again = await acme.createAccount(account({ thumbprint: first.thumbprint }));
        expect(again).toMatchObject({ created: false, account: { id: first.id } });
        expect(await acme.findAccountByThumbprint(first.thumbprint)).toMatchObject({ id: first.id, contact: first.contact, jwk: first.jwk, termsOfServiceAgreed: true });
        expect((await acme.findAccount(first.id))?.createdAt).toEqual(T0);
        expect(await acme.findAccount(newAcmeId())).toBeUndefined();
      });

      it('two replicas registering one key at the same moment end with one account', async () => {
        const backing = await freshBacking();
        const [a, b] = [await backing.open(), await backing.open()];
        const key = thumbprint();
        const results = await Promise.all([a.acme.createAccount(account({ thumbprint: key })), b.acme.createAccount(account({ thumbprint: key }))]);
        expect(results.map((result) => result.account.id)[0]).toBe(results[1].account.id);
        expect(results.filter((result) => result.created)).toHaveLength(1);
        expect((await a.acme.findAccountByThumbprint(key))?.id).toBe(results[0].account.id);
      });

      it('key change: refused for a key another account holds and for a stale old key; afterwards the old key is free', async () => {
        const { acme } = await (await freshBacking()).open();
        const [one, two] = [account(), account()];
        await acme.createAccount(one);
        await acme.createAccount(two);
        expect(await acme.changeAccountKey(one.id, one.thumbprint, { thumbprint: two.thumbprint, jwk: {} })).toEqual({ kind: 'conflict', accountId: two.id });
        const next = thumbprint();
        expect(await acme.changeAccountKey(one.id, thumbprint(), { thumbprint: next, jwk: {} })).toEqual({ kind: 'stale' });
        expect(await acme.changeAccountKey(one.id, one.thumbprint, { thumbprint: next, jwk: { kty: 'EC', crv: 'P-384' } })).toEqual({ kind: 'changed' });
        expect(await acme.findAccountByThumbprint(next)).toMatchObject({ id: one.id, jwk: { kty: 'EC', crv: 'P-384' } });
        expect(await acme.findAccountByThumbprint(one.thumbprint)).toBeUndefined();
        const newcomer = account({ thumbprint: one.thumbprint });
        expect(await acme.createAccount(newcomer)).toMatchObject({ created: true, account: { id: newcomer.id } });
      });

      it('contact updates; deactivation also deactivates the pending authorizations', async () => {
        const { acme } = await (await freshBacking()).open();
        const holder = account();
        await acme.createAccount(holder);
        await acme.updateContact(holder.id, ['mailto:new@example.internal']);
        expect((await acme.findAccount(holder.id))?.contact).toEqual(['mailto:new@example.internal']);
        const created = order(holder.id, ['10.0.0.1']);
        await acme.createOrder(created);
        await acme.deactivateAccount(holder.id);
        expect((await acme.findAccount(holder.id))?.status).toBe('deactivated');
        expect((await acme.findAuthorization(created.authorizationIds[0]!))?.status).toBe('deactivated');
      });

      it('EAB keys: create, count bound accounts, revoke once', async () => {
        const { acme } = await (await freshBacking()).open();
        const keyId = `eab_${randomBytes(12).toString('base64url')}`;
        await acme.createEabKey({ keyId, hmacKey: new Uint8Array([1, 2, 3]), label: 'lab', createdAt: T0 });
        await acme.createAccount(account({ eabKeyId: keyId }));
        expect(await acme.findEabKey(keyId)).toMatchObject({ keyId, hmacKey: new Uint8Array([1, 2, 3]), label: 'lab', accounts: 1 });
        expect((await acme.findEabKey(keyId))?.revokedAt).toBeUndefined();
        expect(await acme.revokeEabKey(keyId, T0)).toBe(true);
        expect(await acme.revokeEabKey(keyId, T0)).toBe(false);
        expect(await acme.listEabKeys()).toEqual([expect.objectContaining({ keyId, revokedAt: T0, accounts: 1 })]);
        expect(await acme.findEabKey('eab_unknown')).toBeUndefined();
      });
    });

    describe('orders, authorizations, challenges', () => {
      it('stores an order with its authorizations and challenges in order', async () => {
        const { acme } = await (await freshBacking()).open();
        const holder = account();
        await acme.createAccount(holder);
        const created = order(holder.id, ['10.0.0.1', '10.0.0.2'], { notBefore: at(HOUR), notAfter: at(30 * DAY) });
        await acme.createOrder(created);
        expect(await acme.findOrder(created.id)).toMatchObject({ status: 'pending', ips: ['10.0.0.1', '10.0.0.2'], authorizationIds: created.authorizationIds, notBefore: at(HOUR), notAfter: at(30 * DAY), expires: at(7 * DAY) });
        const authorizations = await acme.findAuthorizations(created.id);
        expect(authorizations.map((a) => [a.ip, a.challenges.map((c) => c.type)])).toEqual([
          ['10.0.0.1', ['http-01', 'tls-alpn-01']],
          ['10.0.0.2', ['http-01', 'tls-alpn-01']],
        ]);
        const tlsAlpn = created.authorizations[1]!.challenges[1]!;
        expect((await acme.findAuthorizationOfChallenge(tlsAlpn.id))?.id).toBe(created.authorizationIds[1]);
        expect(await acme.findAuthorizationOfChallenge(newAcmeId())).toBeUndefined();
      });

      it('a challenge starts once; its outcome lands on the challenge and the authorization together', async () => {
        const backing = await freshBacking();
        const [{ acme }, other] = [await backing.open(), await backing.open()];
        const holder = account();
        await acme.createAccount(holder);
        const created = order(holder.id, ['10.0.0.1']);
        await acme.createOrder(created);
        const [http, tls] = created.authorizations[0]!.challenges;
        expect(await Promise.all([acme.startChallenge(http!.id, at(60_000)), other.acme.startChallenge(http!.id, at(60_000))])).toEqual(expect.arrayContaining([true, false]));
        expect(await acme.listProcessingChallenges(at(60_000))).toEqual([]);
        expect(await acme.listProcessingChallenges(at(60_001))).toEqual([{ challengeId: http!.id, authorizationId: created.authorizationIds[0] }]);
        const expires = at(30 * DAY);
        await acme.completeChallenge(http!.id, { status: 'valid', at: T0, authorizationExpires: expires });
        const found = await acme.findAuthorization(created.authorizationIds[0]!);
        expect(found).toMatchObject({ status: 'valid', expires });
        expect(found?.challenges[0]).toMatchObject({ status: 'valid', validatedAt: T0 });
        expect(await acme.startChallenge(tls!.id, T0)).toBe(false);
        expect(await acme.listProcessingChallenges(at(DAY))).toEqual([]);
      });

      it('a failed challenge records its problem and invalidates the authorization', async () => {
        const { acme } = await (await freshBacking()).open();
        const holder = account();
        await acme.createAccount(holder);
        const created = order(holder.id, ['10.0.0.1']);
        await acme.createOrder(created);
        const http = created.authorizations[0]!.challenges[0]!;
        await acme.startChallenge(http.id, T0);
        const problem = { type: 'urn:ietf:params:acme:error:connection', detail: 'refused', status: 400 };
        await acme.completeChallenge(http.id, { status: 'invalid', at: T0, error: problem });
        const found = await acme.findAuthorization(http.authorizationId);
        expect(found?.status).toBe('invalid');
        expect(found?.challenges[0]?.error).toEqual(problem);
      });

      it('deactivates a pending or valid authorization once', async () => {
        const { acme } = await (await freshBacking()).open();
        const holder = account();
        await acme.createAccount(holder);
        const created = order(holder.id, ['10.0.0.1']);
        await acme.createOrder(created);
        expect(await acme.deactivateAuthorization(created.authorizationIds[0]!)).toBe(true);
        expect(await acme.deactivateAuthorization(created.authorizationIds[0]!)).toBe(false);
      });

      it('lists an account\'s orders newest first, in pages', async () => {
        const { acme } = await (await freshBacking()).open();
        const holder = account();
        await acme.createAccount(holder);
        const ids: string[] = [];
        for (const minute of [1, 2, 3]) {
          const created = order(holder.id, ['10.0.0.1'], { createdAt: at(minute * 60_000) });
          ids.push(created.id);
          await acme.createOrder(created);
        }
        expect(await acme.listOrderIds(holder.id, { limit: 2 })).toEqual({ ids: [ids[2], ids[1]], more: true });
        expect(await acme.listOrderIds(holder.id, { after: ids[1], limit: 2 })).toEqual({ ids: [ids[0]], more: false });
        expect(await acme.listOrderIds(account().id, { limit: 2 })).toEqual({ ids: [], more: false });
      });

      it('finds the account\'s valid authorizations per IP (the one expiring last), never expired or another account\'s', async () => {
        const { acme } = await (await freshBacking()).open();
        const [holder, stranger] = [account(), account()];
        await acme.createAccount(holder);
        await acme.createAccount(stranger);
        const early = order(holder.id, ['10.0.0.1', '10.0.0.2']);
        const late = order(holder.id, ['10.0.0.1']);
        const theirs = order(stranger.id, ['10.0.0.3']);
        for (const created of [early, late, theirs]) await acme.createOrder(created);
        await validate(acme, early.authorizationIds[0]!, at(10 * DAY));
        await validate(acme, early.authorizationIds[1]!, at(HOUR));
        await validate(acme, late.authorizationIds[0]!, at(20 * DAY));
        await validate(acme, theirs.authorizationIds[0]!, at(20 * DAY));
        const found = await acme.findValidAuthorizations(holder.id, ['10.0.0.1', '10.0.0.2', '10.0.0.3'], at(2 * HOUR));
        expect(found.map((a) => [a.ip, a.id])).toEqual([['10.0.0.1', late.authorizationIds[0]]]);
        expect(await acme.findValidAuthorizations(holder.id, [], T0)).toEqual([]);
      });

      it('an order may name valid authorizations created by an earlier order (reuse)', async () => {
        const { acme } = await (await freshBacking()).open();
        const holder = account();
        await acme.createAccount(holder);
        const first = order(holder.id, ['10.0.0.1']);
        await acme.createOrder(first);
        await validate(acme, first.authorizationIds[0]!, at(30 * DAY));
        const reusing: NewAcmeOrder = { ...order(holder.id, []), ips: ['10.0.0.1'], authorizationIds: first.authorizationIds, authorizations: [] };
        await acme.createOrder(reusing);
        expect((await acme.findAuthorizations(reusing.id)).map((a) => [a.id, a.status])).toEqual([[first.authorizationIds[0], 'valid']]);
      });

      it('finds the orders naming a certificate in replaces', async () => {
        const { acme } = await (await freshBacking()).open();
        const holder = account();
        await acme.createAccount(holder);
        const renewing = order(holder.id, ['10.0.0.1'], { replaces: 'aGVsbG8.AQID' });
        await acme.createOrder(renewing);
        await acme.createOrder(order(holder.id, ['10.0.0.1']));
        expect((await acme.findOrdersReplacing('aGVsbG8.AQID')).map((found) => found.id)).toEqual([renewing.id]);
        expect(await acme.findOrdersReplacing('aGVsbG8.AQIE')).toEqual([]);
      });
    });

    describe('finalization and certificates', () => {
      it('finalize is a compare-and-set: of two replicas, one wins; an abort makes the order ready again', async () => {
        const backing = await freshBacking();
        const [a, b] = [await backing.open(), await backing.open()];
        const holder = account();
        await a.acme.createAccount(holder);
        const created = order(holder.id, ['10.0.0.1']);
        await a.acme.createOrder(created);
        expect((await Promise.all([a.acme.beginFinalize(created.id, T0), b.acme.beginFinalize(created.id, T0)])).sort()).toEqual([false, true]);
        await a.acme.abortFinalize(created.id, { status: 'pending' });
        expect(await b.acme.beginFinalize(created.id, T0)).toBe(true);
        const problem = { type: 'urn:ietf:params:acme:error:serverInternal', detail: 'signing failed' };
        await b.acme.abortFinalize(created.id, { status: 'invalid', error: problem });
        expect(await a.acme.findOrder(created.id)).toMatchObject({ status: 'invalid', error: problem });
      });

      it('a certificate carries the ledger\'s chain and IPs, and a revocation from either record', async () => {
        const handle = await (await freshBacking()).open();
        const holder = account();
        await handle.acme.createAccount(holder);
        const { orderId, certificateId, serialNumber } = await validOrder(handle, holder.id, ['10.0.0.1', '10.0.0.2']);
        expect(await handle.acme.findOrder(orderId)).toMatchObject({ status: 'valid', certificateId });
        const found = await handle.acme.findCertificateBySerial(serialNumber);
        expect(found).toMatchObject({ id: certificateId, orderId, accountId: holder.id, ips: ['10.0.0.1', '10.0.0.2'], notAfter: at(365 * DAY) });
        expect(found?.chainPem).toContain(serialNumber.slice(0, 8));
        expect((await handle.acme.findCertificate(certificateId))?.revokedAt).toBeUndefined();
        expect(await handle.acme.findCertificate(newAcmeId())).toBeUndefined();
        const revokedAt = new Date(Math.floor(at(DAY).getTime() / 1000) * 1000);
        await handle.ledger.recordRevocation({ serialNumber, revokedAt, reason: 1 }, { at: revokedAt, event: 'revoked', door: 'acme', requester: 'x', serialNumber });
        expect(await handle.acme.findCertificate(certificateId)).toMatchObject({ revokedAt, revocationReason: 1 });
        expect(await handle.acme.revokeCertificate(certificateId, 1, revokedAt)).toBe(true);
        expect(await handle.acme.revokeCertificate(certificateId, 4, revokedAt)).toBe(false);
      });

      it('repairs finalizations left in processing before the cut-off: linked when the ledger has their certificate, else back to pending', async () => {
        const handle = await (await freshBacking()).open();
        const holder = account();
        await handle.acme.createAccount(holder);
        const [issued, lost, recent] = [order(holder.id, ['10.0.0.1']), order(holder.id, ['10.0.0.2']), order(holder.id, ['10.0.0.3'])];
        for (const created of [issued, lost, recent]) await handle.acme.createOrder(created);
        await handle.acme.beginFinalize(issued.id, T0);
        await handle.acme.beginFinalize(lost.id, T0);
        await handle.acme.beginFinalize(recent.id, at(10 * 60_000));
        const serialNumber = await issueInLedger(handle, issued.id, ['10.0.0.1']);
        const certificateId = newAcmeId();
        expect(await handle.acme.recoverFinalizations(() => certificateId, at(5 * 60_000))).toEqual({ completed: 1, reverted: 1 });
        expect(await handle.acme.findOrder(issued.id)).toMatchObject({ status: 'valid', certificateId });
        expect((await handle.acme.findCertificate(certificateId))?.serialNumber).toBe(serialNumber);
        expect((await handle.acme.findOrder(lost.id))?.status).toBe('pending');
        expect((await handle.acme.findOrder(recent.id))?.status).toBe('processing');
      });
    });

    describe('rate limits and collection', () => {
      it('rate-limit windows hold across instances (a restart, another replica), per limit and key', async () => {
        const backing = await freshBacking();
        const first = await backing.open();
        const setting = { max: 2, periodMs: HOUR };
        expect((await first.acme.chargeRateLimit('new-order', 'acct-1', setting, T0)).allowed).toBe(true);
        expect((await first.acme.chargeRateLimit('new-order', 'acct-1', setting, T0)).allowed).toBe(true);
        const second = await backing.open();
        const refused = await second.acme.chargeRateLimit('new-order', 'acct-1', setting, at(60_000));
        // One token refills in 30 minutes: 29 of them are still to wait (rounded up).
        expect(refused.allowed).toBe(false);
        expect(Math.abs((refused as { retryAfterSeconds: number }).retryAfterSeconds - 1740)).toBeLessThanOrEqual(1);
        expect((await second.acme.chargeRateLimit('new-order', 'acct-2', setting, T0)).allowed).toBe(true);
        expect((await second.acme.chargeRateLimit('new-account', 'acct-1', setting, T0)).allowed).toBe(true);
        expect((await first.acme.chargeRateLimit('new-order', 'acct-1', setting, at(HOUR / 2 + 1000))).allowed).toBe(true);
      });

      it('concurrent charges from two replicas never overdraw a window', async () => {
        const backing = await freshBacking();
        const [a, b] = [await backing.open(), await backing.open()];
        const setting = { max: 3, periodMs: HOUR };
        const decisions = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => (n % 2 ? a : b).acme.chargeRateLimit('new-account', '10.0.0.9', setting, T0)));
        expect(decisions.filter((decision) => decision.allowed)).toHaveLength(3);
      });

      it('collects expired authorizations, then the orders that created them; valid orders once their certificate expired; full windows', async () => {
        const handle = await (await freshBacking()).open();
        const { acme } = handle;
        const holder = account();
        await acme.createAccount(holder);
        const stale = order(holder.id, ['10.0.0.1'], { expires: at(DAY) });
        const validated = order(holder.id, ['10.0.0.2'], { expires: at(DAY) });
        for (const created of [stale, validated]) await acme.createOrder(created);
        await validate(acme, validated.authorizationIds[0]!, at(30 * DAY));
        const kept = await validOrder(handle, holder.id, ['10.0.0.3'], at(90 * DAY));
        const processing = order(holder.id, ['10.0.0.4'], { expires: at(DAY) });
        await acme.createOrder(processing);
        await acme.beginFinalize(processing.id, T0);
        await acme.chargeRateLimit('new-order', holder.id, { max: 10, periodMs: HOUR }, T0);

        // Just before a day: nothing has expired but the rate-limit window (full again after six minutes).
        expect(await acme.collectExpired(at(DAY - 1))).toEqual({ orders: 0, authorizations: 0, bookkeeping: 1 });
        // A day on: the stale order's authorization and the order go; the validated authorization (30 days) keeps its order.
        const dayLater = await acme.collectExpired(at(DAY));
        expect(dayLater).toEqual({ orders: 1, authorizations: 2, bookkeeping: 0 });
        expect(await acme.findOrder(stale.id)).toBeUndefined();
        expect(await acme.findAuthorization(stale.authorizationIds[0]!)).toBeUndefined();
        expect(await acme.findOrder(validated.id)).toBeDefined();
        expect((await acme.findOrder(processing.id))?.status).toBe('processing');
        expect(await acme.findOrder(kept.orderId)).toBeDefined();
        expect(await acme.findCertificate(kept.certificateId)).toBeDefined();
        // After 30 days the validated authorization and its order (and the valid order's, 7 days); after 90 days the valid order.
        expect(await acme.collectExpired(at(30 * DAY))).toMatchObject({ orders: 1, authorizations: 2 });
        expect(await acme.findOrder(validated.id)).toBeUndefined();
        expect(await acme.collectExpired(at(90 * DAY))).toMatchObject({ orders: 1 });
        expect(await acme.findOrder(kept.orderId)).toBeUndefined();
        expect(await acme.findCertificate(kept.certificateId)).toBeUndefined();
        expect((await acme.findOrder(processing.id))?.status).toBe('processing');
      });
    });
  });
}
