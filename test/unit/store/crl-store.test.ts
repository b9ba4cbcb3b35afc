import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../../src/store/sqlite/migrations.js';
import { openDatabase } from '../../../src/store/sqlite/open-database.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { IssuedCertificateRecord } from '../../../src/store/records.js';

let dir: string;
let path: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-crl-store-'));
  path = join(dir, 'test.db');
  store = SqliteStore.open(path);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const issuedAt = new Date('2026-01-01T00:00:00.000Z');

async function issue(serialNumber: string, notAfter: string): Promise<void> {
  const certificate: IssuedCertificateRecord = {
    serialNumber,
    door: 'acme',
    type: 'private_server',
    ips: ['10.0.0.1'],
    notBefore: issuedAt,
    notAfter: new Date(notAfter),
    requester: '127.0.0.1',
    issuedAt,
    certificatePem: `PEM-${serialNumber}`,
  };
  await store.recordIssued(certificate, { at: issuedAt, event: 'issued', door: 'acme', requester: '127.0.0.1', serialNumber });
}

async function revoke(serialNumber: string, at: string, reason: number): Promise<void> {
  const revokedAt = new Date(at);
  const recorded = await store.recordRevocation({ serialNumber, revokedAt, reason }, { at: revokedAt, event: 'revoked', door: 'acme', requester: 'test', serialNumber });
  expect(recorded).toBe(true);
}

describe('SqliteStore.listRevoked', () => {
  it('lists revoked certificates not expired at the given instant, oldest revocation first, then by serial', async () => {
    await issue('0103', '2027-01-01T00:00:00.000Z');
    await issue('0102', '2027-01-01T00:00:00.000Z');
    await issue('0101', '2027-01-01T00:00:00.000Z');
    await issue('0104', '2026-06-01T00:00:00.000Z');
    await issue('0105', '2027-01-01T00:00:00.000Z');
    await revoke('0103', '2026-03-01T00:00:00.000Z', 1);
    await revoke('0101', '2026-03-02T00:00:00.000Z', 0);
    await revoke('0102', '2026-03-01T00:00:00.000Z', 4);
    await revoke('0104', '2026-02-01T00:00:00.000Z', 5);

    expect(await store.listRevoked(new Date('2026-05-01T00:00:00.000Z'))).toEqual([
      { serialNumber: '0104', revokedAt: new Date('2026-02-01T00:00:00.000Z'), reason: 5 },
      { serialNumber: '0102', revokedAt: new Date('2026-03-01T00:00:00.000Z'), reason: 4 },
      { serialNumber: '0103', revokedAt: new Date('2026-03-01T00:00:00.000Z'), reason: 1 },
      { serialNumber: '0101', revokedAt: new Date('2026-03-02T00:00:00.000Z'), reason: 0 },
    ]);
    // notAfter equal to the instant still counts; one millisecond later it does not.
    expect((await store.listRevoked(new Date('2026-06-01T00:00:00.000Z'))).map((entry) => entry.serialNumber)).toContain('0104');
    expect((await store.listRevoked(new Date('2026-06-01T00:00:00.001Z'))).map((entry) => entry.serialNumber)).toEqual(['0102', '0103', '0101']);
    expect(await store.listRevoked(new Date('2027-01-01T00:00:00.001Z'))).toEqual([]);
  });

  it('is empty when nothing is revoked', async () => {
    await issue('0201', '2027-01-01T00:00:00.000Z');
    expect(await store.listRevoked(issuedAt)).toEqual([]);
  });
});

describe('SqliteStore.nextCrlNumber', () => {
  it('hands out 1, 2, 3… once each, also to concurrent callers and after a reopen', async () => {
    expect([await store.nextCrlNumber(), await store.nextCrlNumber()]).toEqual([1, 2]);
    const concurrent = await Promise.all([1, 2, 3, 4].map(() => store.nextCrlNumber()));
    expect([...concurrent].sort((a, b) => a - b)).toEqual([3, 4, 5, 6]);
    store.close();
    store = SqliteStore.open(path);
    expect(await store.nextCrlNumber()).toBe(7);
  });

  it('starts at 1 on a database migrated up from schema version 4', async () => {
    store.close();
    const olderPath = join(dir, 'older.db');
    const db = openDatabase(olderPath);
    migrate(db, MIGRATIONS.filter((migration) => migration.version <= 4));
    db.close();
    store = SqliteStore.open(olderPath);
    expect(store.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    expect(await store.nextCrlNumber()).toBe(1);
  });
});
