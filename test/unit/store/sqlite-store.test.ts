import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, SchemaTooNewError } from '../../../src/store/sqlite/migrations.js';
import { openDatabase } from '../../../src/store/sqlite/open-database.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { AuditEntry, IssuedCertificateRecord, NewCsrRequest } from '../../../src/store/records.js';

let dir: string;
let path: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-store-'));
  path = join(dir, 'data', 'test.db');
  store = SqliteStore.open(path);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = new Date('2026-01-02T03:04:05.000Z');

function request(id: string, overrides: Partial<NewCsrRequest> = {}): NewCsrRequest {
  return {
    id,
    type: 'webhook',
    csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${id}\n-----END CERTIFICATE REQUEST-----\n`,
    csrSha256: `sha-${id}`,
    subjectSpki: Uint8Array.of(1, 2, 3),
    ips: ['192.168.1.10'],
    metadata: { device: 'phone' },
    requester: '127.0.0.1',
    createdAt: at,
    ...overrides,
  };
}

const submitted = (requestId: string): AuditEntry => ({ at, event: 'submitted', door: 'rest', requester: '127.0.0.1', requestId, ips: ['192.168.1.10'] });

function certificate(serialNumber: string, requestId?: string): IssuedCertificateRecord {
  return {
    serialNumber,
    door: 'rest',
    type: 'webhook',
    ips: ['192.168.1.10'],
    notBefore: at,
    notAfter: new Date('2027-01-02T03:04:05.000Z'),
    requester: '127.0.0.1',
    issuedAt: at,
    certificatePem: `PEM-${serialNumber}`,
    ...(requestId ? { requestId } : {}),
  };
}

describe('SqliteStore', () => {
  it('creates the file owner-only, in WAL mode with synchronous=FULL, at the latest schema', () => {
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(store.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    const db = new BetterSqlite3(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous is per connection: read it on one opened the way the store opens its own.
    const own = openDatabase(path);
    expect(own.pragma('synchronous', { simple: true })).toBe(2); // FULL
    own.close();
  });

  it('stores a pending request and reads every field back', async () => {
    const { record, created } = await store.createPending(request('REQ_A'), submitted('REQ_A'));
    expect(created).toBe(true);
    expect(record).toMatchObject({ id: 'REQ_A', status: 'pending', type: 'webhook', ips: ['192.168.1.10'], requester: '127.0.0.1' });
    expect(record.createdAt).toEqual(at);
    expect({ ...record.metadata }).toEqual({ device: 'phone' });
    expect([...record.subjectSpki]).toEqual([1, 2, 3]);
    expect(record.certificatePem).toBeUndefined();
    expect(await store.findRequest('REQ_A')).toEqual(record);
    expect(await store.findRequest('REQ_B')).toBeUndefined();
  });

  it('returns the existing pending request for the same CSR and type, without a second audit entry', async () => {
    await store.createPending(request('REQ_A'), submitted('REQ_A'));
    const again = await store.createPending(request('REQ_B', { csrSha256: 'sha-REQ_A' }), submitted('REQ_B'));
    expect(again.created).toBe(false);
    expect(again.record.id).toBe('REQ_A');
    expect(await store.findRequest('REQ_B')).toBeUndefined();
    expect((await store.list()).map((entry) => entry.requestId)).toEqual(['REQ_A']);
    // Another type is another request.
    const other = await store.createPending(request('REQ_C', { csrSha256: 'sha-REQ_A', type: 'private_server' }), submitted('REQ_C'));
    expect(other.created).toBe(true);
  });

  it('approves and denies pending requests in one batch, with the certificate and audit entries', async () => {
    await store.createPending(request('REQ_A'), submitted('REQ_A'));
    await store.createPending(request('REQ_B'), submitted('REQ_B'));
    const later = new Date(at.getTime() + 1000);
    await store.completePending([
      { kind: 'approved', requestId: 'REQ_A', certificate: certificate('01ab', 'REQ_A'), at: later },
      { kind: 'denied', requestId: 'REQ_B', reason: 'the CA expired', at: later },
    ]);
    const approved = await store.findRequest('REQ_A');
    expect(approved).toMatchObject({ status: 'approved', serialNumber: '01ab', certificatePem: 'PEM-01ab' });
    expect(approved?.updatedAt).toEqual(later);
    expect(await store.findRequest('REQ_B')).toMatchObject({ status: 'denied', denyReason: 'the CA expired' });
    expect(await store.findCertificate('01ab')).toEqual(certificate('01ab', 'REQ_A'));
    expect(await store.listPending()).toEqual([]);
    const events = (await store.list()).map((entry) => [entry.event, entry.requestId]);
    expect(events).toEqual([
      ['submitted', 'REQ_A'],
      ['submitted', 'REQ_B'],
      ['approved', 'REQ_A'],
      ['denied', 'REQ_B'],
    ]);
    expect((await store.list({ requestId: 'REQ_B' })).at(-1)).toMatchObject({ detail: 'the CA expired', ips: ['192.168.1.10'] });
  });

  it('ignores a decision for a request that is no longer pending (no double issuance)', async () => {
    await store.createPending(request('REQ_A'), submitted('REQ_A'));
    await store.completePending([{ kind: 'denied', requestId: 'REQ_A', reason: 'first', at }]);
    await store.completePending([{ kind: 'approved', requestId: 'REQ_A', certificate: certificate('02cd', 'REQ_A'), at }]);
    expect(await store.findRequest('REQ_A')).toMatchObject({ status: 'denied', denyReason: 'first' });
    expect(await store.findCertificate('02cd')).toBeUndefined();
  });

  it('a resubmission after a decision creates a new request', async () => {
    await store.createPending(request('REQ_A'), submitted('REQ_A'));
    await store.completePending([{ kind: 'denied', requestId: 'REQ_A', reason: 'no', at }]);
    const again = await store.createPending(request('REQ_B', { csrSha256: 'sha-REQ_A' }), submitted('REQ_B'));
    expect(again).toMatchObject({ created: true, record: { id: 'REQ_B', status: 'pending' } });
  });

  it('lists pending requests oldest first', async () => {
    await store.createPending(request('REQ_B', { createdAt: new Date(at.getTime() + 5) }), submitted('REQ_B'));
    await store.createPending(request('REQ_A'), submitted('REQ_A'));
    expect((await store.listPending()).map((entry) => entry.id)).toEqual(['REQ_A', 'REQ_B']);
  });

  it('records synchronously issued certificates with their audit entry', async () => {
    await store.recordIssued({ ...certificate('03ef'), door: 'acme' }, { at, event: 'issued', door: 'acme', requester: 'acct-1', serialNumber: '03ef' });
    expect(await store.findCertificate('03ef')).toMatchObject({ door: 'acme', ips: ['192.168.1.10'] });
    expect(await store.list()).toMatchObject([{ event: 'issued', door: 'acme', serialNumber: '03ef', sequence: 1 }]);
  });

  it('the audit log is append-only', () => {
    const db = new BetterSqlite3(path);
    db.prepare("INSERT INTO audit_log (at, event, door, requester) VALUES (1, 'refused', 'rest', 'x')").run();
    expect(() => db.prepare("UPDATE audit_log SET detail = 'changed'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    db.close();
  });

  it('keeps everything across a reopen, and migrating again is a no-op', async () => {
    await store.createPending(request('REQ_A'), submitted('REQ_A'));
    store.close();
    store = SqliteStore.open(path);
    expect((await store.findRequest('REQ_A'))?.status).toBe('pending');
    expect(await store.listPending()).toHaveLength(1);
  });

  it('refuses a database from a newer version', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('user_version = 99');
    expect(() => migrate(db)).toThrow(SchemaTooNewError);
    db.close();
  });

  it('applies migrations in order from the stored version', () => {
    const db = new BetterSqlite3(':memory:');
    const steps = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'two', sql: 'ALTER TABLE a ADD COLUMN y INTEGER' },
    ];
    expect(migrate(db, steps.slice(0, 1))).toEqual({ from: 0, to: 1 });
    expect(migrate(db, steps)).toEqual({ from: 1, to: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT y FROM a').all()).toEqual([]);
    db.close();
  });

  it('a failing migration leaves the previous version in place', () => {
    const db = new BetterSqlite3(':memory:');
    const steps = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (y INTEGER); SELECT * FROM missing' },
    ];
    expect(() => migrate(db, steps)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").all()).toEqual([]);
    db.close();
  });
});
