import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { NewCsrRequest } from '../../../src/store/records.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-approvals-'));
  store = SqliteStore.open(join(dir, 'test.db'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = new Date('2026-01-02T03:04:05.000Z');
const ID = 'REQ_AAAAAAAAAAAAAAAAAAAAAAAAAA';

function awaiting(id = ID): NewCsrRequest {
  return { id, type: 'webhook', csrPem: `PEM ${id}`, csrSha256: `sha-${id}`, subjectSpki: Uint8Array.of(1), ips: ['192.168.1.10'], metadata: {}, requester: '10.0.0.9', createdAt: at, awaitingApproval: true };
}

const certificate = { serialNumber: '01ab', door: 'rest', type: 'webhook', ips: ['192.168.1.10'], notBefore: at, notAfter: at, requester: '10.0.0.9', issuedAt: at, certificatePem: 'PEM', requestId: ID } as const;

describe('SqliteStore: requests awaiting an administrator', () => {
  beforeEach(async () => {
    await store.createPending(awaiting(), { at, event: 'submitted', door: 'rest', requester: '10.0.0.9', requestId: ID });
  });

  it('are not the signer\'s: listPending leaves them out and a signing outcome for one writes nothing', async () => {
    expect(await store.listPending()).toEqual([]);
    await store.completePending([{ kind: 'approved', requestId: ID, at, certificate }]);
    expect(await store.findRequest(ID)).toMatchObject({ status: 'pending', awaitingApproval: true });
    expect(await store.findCertificate('01ab')).toBeUndefined();
  });

  it('an approval hands it to the signer once, audited with the actor; the signing is then `issued`', async () => {
    expect(await store.grantApproval({ requestId: ID, at, actor: 'alice (abc)' })).toBe(true);
    expect(await store.grantApproval({ requestId: ID, at, actor: 'bob (def)' })).toBe(false);
    expect(await store.listPending()).toEqual([{ id: ID, createdAt: at }]);
    await store.completePending([{ kind: 'approved', requestId: ID, at, certificate }]);
    expect(await store.findRequest(ID)).toMatchObject({ status: 'approved', serialNumber: '01ab', decidedBy: 'alice (abc)' });
    const events = (await store.queryAudit({ requestId: ID, limit: 10 })).map((entry) => [entry.event, entry.actor]);
    expect(events).toEqual([['issued', undefined], ['approved', 'alice (abc)'], ['submitted', undefined]]);
  });

  it('a denial ends it with the reason; a second decision finds nothing pending', async () => {
    expect(await store.denyRequest({ requestId: ID, at, actor: 'alice (abc)', reason: 'unknown device' })).toBe(true);
    expect(await store.grantApproval({ requestId: ID, at, actor: 'alice (abc)' })).toBe(false);
    expect(await store.denyRequest({ requestId: ID, at, actor: 'alice (abc)', reason: 'again' })).toBe(false);
    expect(await store.findRequest(ID)).toMatchObject({ status: 'denied', denyReason: 'unknown device', decidedBy: 'alice (abc)' });
    expect(await store.listRequests({ awaitingApproval: true, limit: 10 })).toEqual([]);
    expect((await store.listRequests({ status: 'denied', ip: '192.168.1.10', limit: 10 })).map((record) => record.id)).toEqual([ID]);
    expect(await store.listRequests({ status: 'denied', ip: '192.168.1.11', limit: 10 })).toEqual([]);
  });
});

describe('admin tokens', () => {
  it('verify only the exact, unrevoked token, and list never holds the token', () => {
    const tokens = store.adminTokens();
    const { token, record } = tokens.create('alice', at);
    expect(token).toMatch(/^sgca_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(tokens.verify(token)).toEqual({ tokenId: record.id, name: 'alice' });
    expect(tokens.verify(`${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`)).toBeUndefined();
    expect(tokens.verify('')).toBeUndefined();
    expect(JSON.stringify(tokens.list())).not.toContain(token.slice(18));
    expect(tokens.revoke(record.id, at)).toBe(true);
    expect(tokens.revoke(record.id, at)).toBe(false);
    expect(tokens.verify(token)).toBeUndefined();
  });
});
