import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AcmeAuthorizationRecord, NewAcmeOrder } from '../../../src/store/acme-store.js';
import type { SqliteAcmeStore } from '../../../src/store/sqlite/acme-store.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';

let sqlite: SqliteStore;
let store: SqliteAcmeStore;
const now = new Date('2030-01-01T00:00:00Z');
const later = new Date('2030-01-08T00:00:00Z');

function account(id: string, thumbprint: string) {
  return { id, thumbprint, jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, contact: [], status: 'valid' as const, termsOfServiceAgreed: true, createdAt: now };
}

function order(id: string, accountId: string, ips: string[]): NewAcmeOrder {
  const authorizations: AcmeAuthorizationRecord[] = ips.map((ip, index) => ({
    id: `${id}-a${index}`,
    accountId,
    orderId: id,
    ip,
    status: 'pending',
    expires: later,
    createdAt: now,
    challenges: [
      { id: `${id}-a${index}-h`, authorizationId: `${id}-a${index}`, type: 'http-01', token: `tok-${id}-${index}-h`, status: 'pending' },
      { id: `${id}-a${index}-t`, authorizationId: `${id}-a${index}`, type: 'tls-alpn-01', token: `tok-${id}-${index}-t`, status: 'pending' },
    ],
  }));
  return { id, accountId, ips, authorizationIds: authorizations.map((a) => a.id), expires: later, createdAt: now, authorizations };
}

beforeEach(async () => {
  sqlite = SqliteStore.open(':memory:');
  store = sqlite.acme();
  await store.createAccount(account('acct1', 'thumb1'));
});

afterEach(() => sqlite.close());

describe('SqliteAcmeStore', () => {
  it('one account per key: a second create with the same thumbprint returns the first', async () => {
    const again = await store.createAccount(account('acct2', 'thumb1'));
    expect(again).toMatchObject({ created: false, account: { id: 'acct1' } });
    expect((await store.findAccountByThumbprint('thumb1'))?.id).toBe('acct1');
  });

  it('stores an order with its authorizations and challenges in order', async () => {
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1', '10.0.0.2']));
    expect(await store.findOrder('o1')).toMatchObject({ status: 'pending', ips: ['10.0.0.1', '10.0.0.2'], authorizationIds: ['o1-a0', 'o1-a1'] });
    const authorizations = await store.findAuthorizations('o1');
    expect(authorizations.map((a) => [a.ip, a.challenges.map((c) => c.type)])).toEqual([
      ['10.0.0.1', ['http-01', 'tls-alpn-01']],
      ['10.0.0.2', ['http-01', 'tls-alpn-01']],
    ]);
    expect((await store.findAuthorizationOfChallenge('o1-a1-t'))?.id).toBe('o1-a1');
  });

  it('a challenge starts once, and its outcome lands on the challenge and the authorization together', async () => {
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1']));
    expect(await store.startChallenge('o1-a0-h')).toBe(true);
    expect(await store.startChallenge('o1-a0-h')).toBe(false);
    expect(await store.listProcessingChallenges()).toEqual([{ challengeId: 'o1-a0-h', authorizationId: 'o1-a0' }]);
    await store.completeChallenge('o1-a0-h', { status: 'valid', at: now, authorizationExpires: new Date('2030-02-01T00:00:00Z') });
    const authorization = await store.findAuthorization('o1-a0');
    expect(authorization).toMatchObject({ status: 'valid', expires: new Date('2030-02-01T00:00:00Z') });
    expect(authorization?.challenges[0]).toMatchObject({ status: 'valid', validatedAt: now });
    expect(await store.startChallenge('o1-a0-t')).toBe(false);
  });

  it('a failed challenge records its problem and invalidates the authorization', async () => {
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1']));
    await store.startChallenge('o1-a0-h');
    await store.completeChallenge('o1-a0-h', { status: 'invalid', at: now, error: { type: 'urn:ietf:params:acme:error:connection', detail: 'refused', status: 400 } });
    const authorization = await store.findAuthorization('o1-a0');
    expect(authorization?.status).toBe('invalid');
    expect(authorization?.challenges[0]?.error).toEqual({ type: 'urn:ietf:params:acme:error:connection', detail: 'refused', status: 400 });
  });

  it('finalize is a compare-and-set: only one caller wins', async () => {
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1']));
    expect(await store.beginFinalize('o1')).toBe(true);
    expect(await store.beginFinalize('o1')).toBe(false);
    await store.abortFinalize('o1', { status: 'pending' });
    expect(await store.beginFinalize('o1')).toBe(true);
  });

  it('key change refuses a key held by another account and a stale old key', async () => {
    await store.createAccount(account('acct2', 'thumb2'));
    expect(await store.changeAccountKey('acct1', 'thumb1', { thumbprint: 'thumb2', jwk: {} })).toEqual({ kind: 'conflict', accountId: 'acct2' });
    expect(await store.changeAccountKey('acct1', 'old', { thumbprint: 'thumb3', jwk: {} })).toEqual({ kind: 'stale' });
    expect(await store.changeAccountKey('acct1', 'thumb1', { thumbprint: 'thumb3', jwk: { kty: 'EC' } })).toEqual({ kind: 'changed' });
    expect((await store.findAccountByThumbprint('thumb3'))?.jwk).toEqual({ kty: 'EC' });
  });

  it('deactivating an account deactivates its pending authorizations', async () => {
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1']));
    await store.deactivateAccount('acct1');
    expect((await store.findAccount('acct1'))?.status).toBe('deactivated');
    expect((await store.findAuthorization('o1-a0'))?.status).toBe('deactivated');
  });

  it('lists an account\'s orders newest first, in pages', async () => {
    for (const id of ['o1', 'o2', 'o3']) await store.createOrder(order(id, 'acct1', ['10.0.0.1']));
    expect(await store.listOrderIds('acct1', { limit: 2 })).toEqual({ ids: ['o3', 'o2'], more: true });
    expect(await store.listOrderIds('acct1', { after: 'o2', limit: 2 })).toEqual({ ids: ['o1'], more: false });
  });

  it('EAB keys: create, count bound accounts, revoke once', async () => {
    await store.createEabKey({ keyId: 'kid1', hmacKey: new Uint8Array([1, 2, 3]), label: 'lab', createdAt: now });
    await store.createAccount({ ...account('acct3', 'thumb3'), eabKeyId: 'kid1' });
    expect(await store.findEabKey('kid1')).toMatchObject({ keyId: 'kid1', hmacKey: new Uint8Array([1, 2, 3]), label: 'lab', accounts: 1 });
    expect(await store.revokeEabKey('kid1', now)).toBe(true);
    expect(await store.revokeEabKey('kid1', now)).toBe(false);
    expect((await store.listEabKeys())[0]?.revokedAt).toEqual(now);
  });
});

describe('SqliteAcmeStore: valid authorizations, reuse, replaces, certificates', () => {
  async function validate(authorizationId: string, expires: Date): Promise<void> {
    await store.startChallenge(`${authorizationId}-h`);
    await store.completeChallenge(`${authorizationId}-h`, { status: 'valid', at: now, authorizationExpires: expires });
  }

  it('finds the account\'s valid, unexpired authorizations for the asked IPs: one per IP, the one expiring last', async () => {
    await store.createAccount(account('acct2', 'thumb2'));
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1', '10.0.0.2', '10.0.0.3']));
    await store.createOrder(order('o2', 'acct1', ['10.0.0.1']));
    await store.createOrder(order('o3', 'acct2', ['10.0.0.3']));
    await validate('o1-a0', new Date('2030-01-20T00:00:00Z'));
    await validate('o2-a0', new Date('2030-01-30T00:00:00Z'));
    await validate('o1-a1', new Date('2030-01-02T00:00:00Z'));
    await validate('o3-a0', later);
    const found = await store.findValidAuthorizations('acct1', ['10.0.0.1', '10.0.0.2', '10.0.0.3'], new Date('2030-01-05T00:00:00Z'));
    expect(found.map((authorization) => [authorization.id, authorization.ip])).toEqual([['o2-a0', '10.0.0.1']]);
    expect(found[0]?.challenges.map((challenge) => challenge.status)).toEqual(['valid', 'pending']);
    expect((await store.findValidAuthorizations('acct1', ['10.0.0.2'], now)).map((authorization) => authorization.id)).toEqual(['o1-a1']);
    expect(await store.findValidAuthorizations('acct2', ['10.0.0.1'], now)).toEqual([]);
    await store.deactivateAuthorization('o2-a0');
    expect((await store.findValidAuthorizations('acct1', ['10.0.0.1'], now)).map((authorization) => authorization.id)).toEqual(['o1-a0']);
  });

  it('an order may reuse an earlier authorization: it is read through the order, in the order given', async () => {
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1']));
    const second = order('o2', 'acct1', ['10.0.0.2']);
    await store.createOrder({ ...second, ips: ['10.0.0.2', '10.0.0.1'], authorizationIds: ['o2-a0', 'o1-a0'] });
    const authorizations = await store.findAuthorizations('o2');
    expect(authorizations.map((authorization) => [authorization.id, authorization.orderId, authorization.challenges.length])).toEqual([
      ['o2-a0', 'o2', 2],
      ['o1-a0', 'o1', 2],
    ]);
    expect((await store.findAuthorizations('o1')).map((authorization) => authorization.id)).toEqual(['o1-a0']);
  });

  it('finds the orders naming a certificate in replaces', async () => {
    await store.createOrder({ ...order('o1', 'acct1', ['10.0.0.1']), replaces: 'AKI.SERIAL' });
    await store.createOrder(order('o2', 'acct1', ['10.0.0.1']));
    expect((await store.findOrdersReplacing('AKI.SERIAL')).map((found) => found.id)).toEqual(['o1']);
    expect(await store.findOrdersReplacing('AKI.OTHER')).toEqual([]);
  });

  it('a certificate carries the ledger\'s IPs, and a revocation from either record', async () => {
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1', '10.0.0.2']));
    await store.beginFinalize('o1');
    const pem = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';
    await sqlite.recordIssued(
      { serialNumber: '02bb', door: 'acme', type: 'private_server', ips: ['10.0.0.1', '10.0.0.2'], notBefore: now, notAfter: later, requester: 'x', issuedAt: now, certificatePem: pem, requestId: 'o1' },
      { at: now, event: 'issued', door: 'acme', requester: 'x', serialNumber: '02bb' },
    );
    await store.completeFinalize('o1', { id: 'cert1', serialNumber: '02bb', accountId: 'acct1' });
    expect(await store.findCertificateBySerial('02bb')).toMatchObject({ id: 'cert1', ips: ['10.0.0.1', '10.0.0.2'] });
    expect((await store.findCertificate('cert1'))?.revokedAt).toBeUndefined();
    await sqlite.recordRevocation({ serialNumber: '02bb', revokedAt: later, reason: 1 }, { at: later, event: 'revoked', door: 'acme', requester: 'x', serialNumber: '02bb' });
    expect(await store.findCertificate('cert1')).toMatchObject({ revokedAt: later, revocationReason: 1 });
    expect(await store.revokeCertificate('cert1', 1, later)).toBe(true);
    expect(await store.revokeCertificate('cert1', 4, later)).toBe(false);
  });
});

describe('SqliteAcmeStore recovery and durability', () => {
  it('repairs orders a crash left in processing: linked when the ledger has their certificate, else back to pending', async () => {
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1']));
    await store.createOrder(order('o2', 'acct1', ['10.0.0.2']));
    await store.beginFinalize('o1');
    await store.beginFinalize('o2');
    const pem = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';
    await sqlite.recordIssued(
      { serialNumber: '02aa', door: 'acme', type: 'private_server', ips: ['10.0.0.1'], notBefore: now, notAfter: later, requester: 'x', issuedAt: now, certificatePem: pem, requestId: 'o1' },
      { at: now, event: 'issued', door: 'acme', requester: 'x', serialNumber: '02aa' },
    );
    expect(await store.recoverFinalizations(() => 'cert1')).toEqual({ completed: 1, reverted: 1 });
    expect(await store.findOrder('o1')).toMatchObject({ status: 'valid', certificateId: 'cert1' });
    expect((await store.findCertificate('cert1'))?.serialNumber).toBe('02aa');
    expect((await store.findOrder('o2'))?.status).toBe('pending');
  });

  it('progress writes relax fsync only for themselves: the connection keeps its durable setting', async () => {
    const db = (store as unknown as { db: { pragma(text: string, options: object): unknown } }).db;
    const before = db.pragma('synchronous', { simple: true });
    await store.createOrder(order('o1', 'acct1', ['10.0.0.1']));
    await store.startChallenge('o1-a0-h');
    expect(db.pragma('synchronous', { simple: true })).toBe(before);
  });
});
