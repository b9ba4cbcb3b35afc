/**
 * A data directory whose SQLite store holds `count` decided REST requests: one request goes through
 * the real issuance service (submit, then the worker's step), and its rows (request, certificate,
 * audit entries) are copied with fresh ids and serials in one transaction.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ipv4RangeSet, systemClock, LeafSigner } from '../src/ca/index.js';
import { buildClientCsr } from '../src/ca/index.js';
import { IssuanceService } from '../src/issuance/issuance-service.js';
import { newRequestId } from '../src/issuance/request-id.js';
import { initCaDirectory, loadCaDirectory } from '../src/keystore/ca-directory.js';
import { DATABASE_FILE } from '../src/store/sqlite/database-file.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { silentLogger } from '../src/telemetry/logger.js';

type Row = Record<string, unknown>;

export async function seedDatabase(dataDir: string, count: number): Promise<void> {
  await initCaDirectory(dataDir, { keyAlgorithm: 'ecdsa-p256', allowedRanges: Ipv4RangeSet.defaults, clock: systemClock });
  const { material } = await loadCaDirectory(dataDir, { clock: systemClock });
  const store = SqliteStore.open(join(dataDir, DATABASE_FILE));
  try {
    const service = new IssuanceService({ store, signer: new LeafSigner(material, { clock: systemClock }), allowedRanges: material.allowedRanges, clock: systemClock, logger: silentLogger() });
    const { record } = await service.submit({ csrPem: buildClientCsr('192.168.1.10').csrPem, type: 'webhook', metadata: {}, requester: '127.0.0.1' });
    await service.processPending([record.id]);
  } finally {
    store.close();
  }
  copyRows(join(dataDir, DATABASE_FILE), count - 1);
}

function copyRows(file: string, copies: number): void {
  const db = new Database(file);
  try {
    const request = db.prepare('SELECT * FROM csr_requests').get() as Row;
    const certificate = db.prepare('SELECT * FROM certificates').get() as Row;
    const audit = (db.prepare('SELECT * FROM audit_log').all() as Row[]).map(({ sequence: _sequence, ...entry }) => entry);
    const insert = (table: string, row: Row) => db.prepare(`INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((key) => `@${key}`).join(', ')})`);
    const [insertCertificate, insertRequest] = [insert('certificates', certificate), insert('csr_requests', request)];
    const insertAudit = insert('audit_log', audit[0]!);
    db.transaction(() => {
      for (let index = 0; index < copies; index += 1) {
        const id = newRequestId();
        const serial = `01${randomBytes(15).toString('hex')}`;
        insertCertificate.run({ ...certificate, serial_number: serial, request_id: id });
        insertRequest.run({ ...request, id, serial_number: serial, csr_sha256: randomBytes(32).toString('hex') });
        for (const entry of audit) insertAudit.run({ ...entry, request_id: id, serial_number: entry['serial_number'] === null ? null : serial });
      }
    })();
  } finally {
    db.close();
  }
}
