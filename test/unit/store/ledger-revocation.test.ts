import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { IssuedCertificateRecord } from '../../../src/store/records.js';

const at = new Date('2026-01-02T03:04:05.000Z');

function insertCertificate(db: Database, serial: string, orderId: string): void {
  db.prepare(`
    INSERT INTO certificates (serial_number, door, type, ips, not_before, not_after, requester, issued_at, certificate_pem, request_id)
    VALUES (?, 'acme', 'private_server', '["10.0.0.1"]', 0, 1, 'r', 0, 'PEM', ?)`).run(serial, orderId);
  db.prepare(`INSERT INTO acme_orders (id, account_id, status, ips, authorization_ids, expires, certificate_id, created_at) VALUES (?, 'acct', 'valid', '["10.0.0.1"]', '[]', 1, ?, 0)`).run(orderId, `cert-${serial}`);
}

describe('schema migration 3: revocation in the ledger', () => {
  let db: Database;

  beforeEach(() => {
    db = new BetterSqlite3(':memory:');
    migrate(db, MIGRATIONS.filter((migration) => migration.version <= 2));
    db.prepare(`INSERT INTO acme_accounts (id, thumbprint, jwk, contact, status, tos_agreed, created_at) VALUES ('acct', 't', '{}', '[]', 'valid', 1, 0)`).run();
  });

  afterEach(() => db.close());

  it('copies revocations the ACME tables held into the ledger, each with one audit entry', () => {
    insertCertificate(db, '01aa', 'o1');
    insertCertificate(db, '01bb', 'o2');
    db.prepare(`INSERT INTO acme_certificates (id, serial_number, account_id, order_id, revoked_at, revocation_reason) VALUES ('cert-01aa', '01aa', 'acct', 'o1', ?, 4)`).run(at.getTime());
    db.prepare(`INSERT INTO acme_certificates (id, serial_number, account_id, order_id) VALUES ('cert-01bb', '01bb', 'acct', 'o2')`).run();
    expect(migrate(db)).toEqual({ from: 2, to: MIGRATIONS.at(-1)!.version });
    const rows = db.prepare('SELECT serial_number, revoked_at, revocation_reason FROM certificates ORDER BY serial_number').all();
    expect(rows).toEqual([
      { serial_number: '01aa', revoked_at: at.getTime(), revocation_reason: 4 },
      { serial_number: '01bb', revoked_at: null, revocation_reason: null },
    ]);
    const audit = db.prepare('SELECT at, event, door, serial_number, request_id, ips, detail FROM audit_log').all();
    expect(audit).toEqual([
      { at: at.getTime(), event: 'revoked', door: 'acme', serial_number: '01aa', request_id: 'o1', ips: '["10.0.0.1"]', detail: 'reason code 4; copied from the ACME records by schema migration 3' },
    ]);
  });

  it('makes a revocation final and keeps reasons to RFC 5280 codes', () => {
    migrate(db);
    insertCertificate(db, '01cc', 'o3');
    expect(() => db.prepare('UPDATE certificates SET revoked_at = 1, revocation_reason = 11 WHERE serial_number = ?').run('01cc')).toThrow(/CHECK/);
    db.prepare('UPDATE certificates SET revoked_at = 1, revocation_reason = 1 WHERE serial_number = ?').run('01cc');
    expect(() => db.prepare('UPDATE certificates SET revoked_at = NULL, revocation_reason = NULL WHERE serial_number = ?').run('01cc')).toThrow(/final/);
    expect(() => db.prepare('UPDATE certificates SET revocation_reason = 4 WHERE serial_number = ?').run('01cc')).toThrow(/final/);
  });
});

describe('SqliteStore.recordRevocation', () => {
  let store: SqliteStore;
  const certificate: IssuedCertificateRecord = {
    serialNumber: '02dd',
    door: 'rest',
    type: 'webhook',
    ips: ['192.168.1.10'],
    notBefore: at,
    notAfter: new Date('2027-01-02T03:04:05.000Z'),
    requester: '127.0.0.1',
    issuedAt: at,
    certificatePem: 'PEM',
  };

  beforeEach(() => {
    store = SqliteStore.open(':memory:');
  });

  afterEach(() => store.close());

  it('writes the ledger change and the audit entry together, once', async () => {
    await store.recordIssued(certificate, { at, event: 'issued', door: 'rest', requester: 'r', serialNumber: '02dd' });
    const audit = { at, event: 'revoked' as const, door: 'rest' as const, requester: 'admin', serialNumber: '02dd', detail: 'reason superseded (4)' };
    expect(await store.recordRevocation({ serialNumber: '02dd', revokedAt: at, reason: 4 }, audit)).toBe(true);
    expect(await store.recordRevocation({ serialNumber: '02dd', revokedAt: at, reason: 1 }, audit)).toBe(false);
    expect(await store.recordRevocation({ serialNumber: '0fff', revokedAt: at, reason: 1 }, { ...audit, serialNumber: '0fff' })).toBe(false);
    expect(await store.findCertificate('02dd')).toMatchObject({ revokedAt: at, revocationReason: 4 });
    expect((await store.list()).map((entry) => [entry.event, entry.serialNumber])).toEqual([
      ['issued', '02dd'],
      ['revoked', '02dd'],
    ]);
  });
});
