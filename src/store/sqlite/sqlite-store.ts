import type { Database } from 'better-sqlite3';
import type { CrlNumberSequence, IssuanceStore, RevocationLedger, RevocationList, StoreHealth } from '../interfaces.js';
import type {
  AuditEntry,
  CertificateRevocation,
  CsrRequestRecord,
  IssuedCertificateRecord,
  NewCsrRequest,
  PendingOutcome,
  RevocationAuditEntry,
  StoredAuditEntry,
} from '../records.js';
import { SqliteAcmeStore } from './acme-store.js';
import { GroupCommit } from './group-commit.js';
import { checkIntegrity, DatabaseDamagedError, RESTORE_HINT, type IntegrityCheck } from './integrity-check.js';
import { migrate } from './migrations.js';
import { openDatabase } from './open-database.js';
import { storeFaultOf } from './sqlite-faults.js';
import { withStoreFaults } from '../store-fault-boundary.js';
import { WalCheckpointer, WAL_POLICY, type CheckpointResult, type WalPolicy } from './wal-checkpointer.js';
import { WriteHealth, type WriteHealthEvent } from './write-health.js';
import {
  auditFromRow,
  certificateFromRow,
  requestFromRow,
  type AuditRow,
  type CertificateRow,
  type CsrRequestRow,
} from './row-mapping.js';

const SELECT_REQUEST = `
  SELECT r.*, c.certificate_pem FROM csr_requests r
  LEFT JOIN certificates c ON c.serial_number = r.serial_number`;

/** What the store reports for the log: writes failing or working again, a checkpoint that failed. */
export type SqliteStoreEvent = WriteHealthEvent | { readonly kind: 'checkpoint-failed'; readonly error: unknown };

export interface SqliteStoreOptions {
  /** Checked before anything is written; a damaged file throws DatabaseDamagedError. Default quick. */
  readonly integrityCheck?: IntegrityCheck;
  readonly wal?: WalPolicy;
  readonly now?: () => Date;
  readonly onEvent?: (event: SqliteStoreEvent) => void;
}

/** The embedded store: one SQLite file in the data directory. */
export class SqliteStore implements IssuanceStore, RevocationLedger, RevocationList, CrlNumberSequence, StoreHealth {
  private readonly statements;
  private readonly writes: GroupCommit;
  private readonly health: WriteHealth;
  private readonly checkpointer: WalCheckpointer;
  private readonly now: () => Date;

  private constructor(
    private readonly db: Database,
    options: SqliteStoreOptions,
  ) {
    const onEvent = options.onEvent ?? (() => {});
    this.now = options.now ?? (() => new Date());
    this.statements = prepareStatements(db);
    this.health = new WriteHealth(this.now, onEvent);
    this.checkpointer = new WalCheckpointer(db, (options.wal ?? WAL_POLICY).idleCheckpointMs, (error) => onEvent({ kind: 'checkpoint-failed', error }));
    this.writes = new GroupCommit(db, { health: this.health, onCommit: () => this.checkpointer.wrote() });
  }

  /**
   * Opens the file, checks it (a damaged one is left untouched and refused with the way to restore
   * it), then brings the schema up to date.
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const wal = options.wal ?? WAL_POLICY;
    let db: Database;
    try {
      db = openDatabase(path, wal);
    } catch (error) {
      throw damagedOr(error, path);
    }
    try {
      checkIntegrity(db, path, options.integrityCheck ?? 'quick');
      migrate(db);
    } catch (error) {
      db.close();
      throw damagedOr(error, path);
    }
    return new SqliteStore(db, { ...options, wal });
  }

  /** The ACME door's tables in the same database (src/store/acme-store.ts); storage faults surface as StoreUnavailableError. */
  acme(): SqliteAcmeStore {
    return withStoreFaults(new SqliteAcmeStore(this.db), (error) => this.noted(error));
  }

  /** Checkpoints the WAL into the database now and truncates it (what an idle period does). */
  checkpoint(): CheckpointResult {
    return this.checkpointer.checkpoint();
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  async createPending(request: NewCsrRequest, audit: AuditEntry): Promise<{ record: CsrRequestRecord; created: boolean }> {
    return this.writes.run(() => {
      const existing = this.statements.findPendingByCsr.get(request.csrSha256, request.type) as CsrRequestRow | undefined;
      if (existing) return { record: requestFromRow(existing), created: false };
      this.statements.insertRequest.run({
        id: request.id,
        type: request.type,
        csr_pem: request.csrPem,
        csr_sha256: request.csrSha256,
        subject_spki: Buffer.from(request.subjectSpki),
        ips: JSON.stringify(request.ips),
        metadata: JSON.stringify(request.metadata),
        requester: request.requester,
        created_at: request.createdAt.getTime(),
      });
      this.insertAudit(audit);
      const row = this.statements.findRequest.get(request.id) as CsrRequestRow;
      return { record: requestFromRow(row), created: true };
    });
  }

  async findRequest(id: string): Promise<CsrRequestRecord | undefined> {
    const row = this.read(() => this.statements.findRequest.get(id) as CsrRequestRow | undefined);
    return row ? requestFromRow(row) : undefined;
  }

  async listPending(): Promise<ReadonlyArray<Pick<CsrRequestRecord, 'id' | 'createdAt'>>> {
    const rows = this.read(() => this.statements.listPending.all() as Array<{ id: string; created_at: number }>);
    return rows.map((row) => ({ id: row.id, createdAt: new Date(row.created_at) }));
  }

  async completePending(outcomes: readonly PendingOutcome[]): Promise<void> {
    await this.writes.run(() => {
      for (const outcome of outcomes) this.completeOne(outcome);
    });
  }

  async recordIssued(certificate: IssuedCertificateRecord, audit: AuditEntry): Promise<void> {
    await this.writes.run(() => {
      this.insertCertificate(certificate);
      this.insertAudit(audit);
    });
  }

  async findCertificate(serialNumber: string): Promise<IssuedCertificateRecord | undefined> {
    const row = this.read(() => this.statements.findCertificate.get(serialNumber) as CertificateRow | undefined);
    return row ? certificateFromRow(row) : undefined;
  }

  async recordRevocation(revocation: CertificateRevocation, audit: RevocationAuditEntry): Promise<boolean> {
    return this.writes.run(() => {
      const changed = this.statements.revokeCertificate.run(revocation.revokedAt.getTime(), revocation.reason, revocation.serialNumber).changes === 1;
      if (changed) this.insertAudit(audit);
      return changed;
    });
  }

  async listRevoked(notExpiredAt: Date): Promise<CertificateRevocation[]> {
    const rows = this.read(() => this.statements.listRevoked.all(notExpiredAt.getTime()) as Array<{ serial_number: string; revoked_at: number; revocation_reason: number }>);
    return rows.map((row) => ({ serialNumber: row.serial_number, revokedAt: new Date(row.revoked_at), reason: row.revocation_reason }));
  }

  async nextCrlNumber(): Promise<number> {
    return this.writes.run(() => (this.statements.nextCrlNumber.get() as { last: number }).last);
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.writes.run(() => this.insertAudit(entry));
  }

  async list(filter: { readonly requestId?: string; readonly limit?: number } = {}): Promise<StoredAuditEntry[]> {
    const limit = filter.limit ?? 1000;
    const rows = this.read(
      () => (filter.requestId === undefined ? this.statements.listAudit.all(limit) : this.statements.listAuditForRequest.all(filter.requestId, limit)) as AuditRow[],
    );
    return rows.map(auditFromRow);
  }

  /**
   * Readiness: the database answers, and its writes work. While writes are failing (disk full, I/O
   * error) each ping tries one small write, so readiness returns by itself once space is back,
   * even if no request arrives to find out.
   */
  async ping(): Promise<void> {
    this.read(() => this.statements.ping.get());
    const failing = this.health.failing;
    if (!failing) return;
    if (failing.fault.kind !== 'damaged') {
      try {
        await this.writes.run(() => this.statements.probe.run(this.now().getTime()));
        return;
      } catch {
        // Still failing: reported below, with what the probe ran into.
      }
    }
    const { fault, since } = this.health.failing ?? failing;
    throw new Error(`writes fail since ${since.toISOString()}: ${fault.message}${fault.kind === 'damaged' ? `; ${RESTORE_HINT}` : ''}`);
  }

  close(): void {
    if (!this.db.open) return;
    this.checkpointer.stop();
    this.writes.flush();
    this.db.close();
  }

  /** A read; a storage fault becomes StoreUnavailableError (and a damaged file stops the writes). */
  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw this.noted(error);
    }
  }

  private noted(error: unknown): unknown {
    const fault = storeFaultOf(error);
    if (!fault) return error;
    this.health.failed(fault);
    return fault;
  }

  private completeOne(outcome: PendingOutcome): void {
    const request = this.statements.findPendingForDecision.get(outcome.requestId) as Pick<CsrRequestRow, 'requester' | 'ips'> | undefined;
    if (!request) return;
    const ips = JSON.parse(request.ips) as string[];
    if (outcome.kind === 'approved') {
      this.insertCertificate(outcome.certificate);
      this.statements.approve.run(outcome.certificate.serialNumber, outcome.at.getTime(), outcome.requestId);
      this.insertAudit({
        at: outcome.at,
        event: 'approved',
        door: 'rest',
        requester: request.requester,
        requestId: outcome.requestId,
        serialNumber: outcome.certificate.serialNumber,
        ips,
      });
    } else {
      this.statements.deny.run(outcome.reason, outcome.at.getTime(), outcome.requestId);
      this.insertAudit({ at: outcome.at, event: 'denied', door: 'rest', requester: request.requester, requestId: outcome.requestId, ips, detail: outcome.reason });
    }
  }

  private insertCertificate(certificate: IssuedCertificateRecord): void {
    this.statements.insertCertificate.run({
      serial_number: certificate.serialNumber,
      door: certificate.door,
      type: certificate.type,
      ips: JSON.stringify(certificate.ips),
      not_before: certificate.notBefore.getTime(),
      not_after: certificate.notAfter.getTime(),
      requester: certificate.requester,
      issued_at: certificate.issuedAt.getTime(),
      certificate_pem: certificate.certificatePem,
      request_id: certificate.requestId ?? null,
    });
  }

  private insertAudit(entry: AuditEntry | RevocationAuditEntry): void {
    this.statements.insertAudit.run({
      at: entry.at.getTime(),
      event: entry.event,
      door: entry.door,
      requester: entry.requester,
      request_id: entry.requestId ?? null,
      serial_number: entry.serialNumber ?? null,
      ips: entry.ips ? JSON.stringify(entry.ips) : null,
      detail: entry.detail ?? null,
    });
  }
}

/** SQLite found the file corrupt while opening or checking it (a damaged schema page fails the check itself). */
function damagedOr(error: unknown, path: string): unknown {
  return storeFaultOf(error)?.kind === 'damaged' ? new DatabaseDamagedError(path, [(error as Error).message]) : error;
}

function prepareStatements(db: Database) {
  return {
    findRequest: db.prepare(`${SELECT_REQUEST} WHERE r.id = ?`),
    findPendingByCsr: db.prepare(`${SELECT_REQUEST} WHERE r.csr_sha256 = ? AND r.type = ? AND r.status = 'pending'`),
    insertRequest: db.prepare(`
      INSERT INTO csr_requests (id, type, status, csr_pem, csr_sha256, subject_spki, ips, metadata, requester, created_at, updated_at)
      VALUES (@id, @type, 'pending', @csr_pem, @csr_sha256, @subject_spki, @ips, @metadata, @requester, @created_at, @created_at)`),
    findPendingForDecision: db.prepare(`SELECT requester, ips FROM csr_requests WHERE id = ? AND status = 'pending'`),
    listPending: db.prepare(`SELECT id, created_at FROM csr_requests WHERE status = 'pending' ORDER BY created_at, id`),
    approve: db.prepare(`UPDATE csr_requests SET status = 'approved', serial_number = ?, updated_at = ? WHERE id = ? AND status = 'pending'`),
    deny: db.prepare(`UPDATE csr_requests SET status = 'denied', deny_reason = ?, updated_at = ? WHERE id = ? AND status = 'pending'`),
    insertCertificate: db.prepare(`
      INSERT INTO certificates (serial_number, door, type, ips, not_before, not_after, requester, issued_at, certificate_pem, request_id)
      VALUES (@serial_number, @door, @type, @ips, @not_before, @not_after, @requester, @issued_at, @certificate_pem, @request_id)`),
    findCertificate: db.prepare(`SELECT * FROM certificates WHERE serial_number = ?`),
    revokeCertificate: db.prepare('UPDATE certificates SET revoked_at = ?, revocation_reason = ? WHERE serial_number = ? AND revoked_at IS NULL'),
    listRevoked: db.prepare(`
      SELECT serial_number, revoked_at, revocation_reason FROM certificates
      WHERE revoked_at IS NOT NULL AND not_after >= ? ORDER BY revoked_at, serial_number`),
    nextCrlNumber: db.prepare('UPDATE crl_number SET last = last + 1 WHERE id = 1 RETURNING last'),
    insertAudit: db.prepare(`
      INSERT INTO audit_log (at, event, door, requester, request_id, serial_number, ips, detail)
      VALUES (@at, @event, @door, @requester, @request_id, @serial_number, @ips, @detail)`),
    listAudit: db.prepare(`SELECT * FROM audit_log ORDER BY sequence LIMIT ?`),
    listAuditForRequest: db.prepare(`SELECT * FROM audit_log WHERE request_id = ? ORDER BY sequence LIMIT ?`),
    ping: db.prepare('SELECT 1'),
    probe: db.prepare('UPDATE write_probe SET at = ? WHERE id = 1'),
  };
}
