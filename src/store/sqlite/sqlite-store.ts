import type { Database } from 'better-sqlite3';
import type { CrlNumberSequence, IssuanceStore, LedgerQueries, RequestApprovals, RevocationLedger, RevocationList, StoreHealth } from '../interfaces.js';
import type {
  AdminDecision,
  AuditEntry,
  AuditFilter,
  CertificateFilter,
  RequestFilter,
  CertificateRevocation,
  CsrRequestRecord,
  IssuedCertificateRecord,
  NewCsrRequest,
  PendingOutcome,
  RevocationAuditEntry,
  StoredAuditEntry,
} from '../records.js';
import { SqliteAcmeStore } from './acme-store.js';
import { AdminTokens } from './admin-tokens.js';
import { auditQuery, certificateQuery, requestQuery } from './ledger-queries.js';
import { GroupCommit } from './group-commit.js';
import { checkIntegrity, DatabaseDamagedError, RESTORE_HINT, type IntegrityCheck } from './integrity-check.js';
import { migrate } from './migrations.js';
import { prepareStatements, SELECT_REQUEST } from './sqlite-statements.js';
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
export class SqliteStore implements IssuanceStore, RevocationLedger, RevocationList, CrlNumberSequence, StoreHealth, RequestApprovals, LedgerQueries {
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

  /** The admin API's bearer tokens, in the same database. */
  adminTokens(): AdminTokens {
    return new AdminTokens(this.db);
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
        awaiting_approval: request.awaitingApproval === true ? 1 : 0,
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

  async grantApproval(decision: AdminDecision): Promise<boolean> {
    return this.writes.run(() => {
      const request = this.statements.findPendingForDecision.get(decision.requestId) as DecisionRow | undefined;
      if (request?.awaiting_approval !== 1) return false;
      this.statements.grantApproval.run(decision.actor, decision.at.getTime(), decision.requestId);
      this.insertAudit({ at: decision.at, event: 'approved', door: 'rest', requester: request.requester, requestId: decision.requestId, ips: JSON.parse(request.ips) as string[], actor: decision.actor });
      return true;
    });
  }

  async denyRequest(decision: AdminDecision & { readonly reason: string }): Promise<boolean> {
    return this.writes.run(() => {
      const request = this.statements.findPendingForDecision.get(decision.requestId) as DecisionRow | undefined;
      if (!request) return false;
      this.statements.denyByAdministrator.run(decision.reason, decision.actor, decision.at.getTime(), decision.requestId);
      this.insertAudit({
        at: decision.at,
        event: 'denied',
        door: 'rest',
        requester: request.requester,
        requestId: decision.requestId,
        ips: JSON.parse(request.ips) as string[],
        detail: decision.reason,
        actor: decision.actor,
      });
      return true;
    });
  }

  async listRequests(filter: RequestFilter): Promise<CsrRequestRecord[]> {
    const { where, parameters } = requestQuery(filter);
    return (this.db.prepare(`${SELECT_REQUEST} ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT ?`).all(...parameters, filter.limit) as CsrRequestRow[]).map(requestFromRow);
  }

  async listCertificates(filter: CertificateFilter): Promise<IssuedCertificateRecord[]> {
    const { where, parameters } = certificateQuery(filter);
    return (this.db.prepare(`SELECT * FROM certificates ${where} ORDER BY issued_at DESC, serial_number LIMIT ?`).all(...parameters, filter.limit) as CertificateRow[]).map(certificateFromRow);
  }

  async queryAudit(filter: AuditFilter): Promise<StoredAuditEntry[]> {
    const { where, parameters } = auditQuery(filter);
    return (this.db.prepare(`SELECT * FROM audit_log ${where} ORDER BY sequence DESC LIMIT ?`).all(...parameters, filter.limit) as AuditRow[]).map(auditFromRow);
  }

  /** How many certificates the ledger holds: a CA existed here when it is more than zero. */
  async countCertificates(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }).n;
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
    const request = this.statements.findPendingForDecision.get(outcome.requestId) as DecisionRow | undefined;
    // A request an administrator has not decided yet is not the signer's.
    if (!request || request.awaiting_approval === 1) return;
    const ips = JSON.parse(request.ips) as string[];
    if (outcome.kind === 'approved') {
      this.insertCertificate(outcome.certificate);
      this.statements.approve.run(outcome.certificate.serialNumber, outcome.at.getTime(), outcome.requestId);
      this.insertAudit({
        at: outcome.at,
        // An administrator's approval is its own audit entry; the signing that follows is the issuance.
        event: request.decided_by === null ? 'approved' : 'issued',
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
      actor: entry.actor ?? null,
    });
  }
}

/** SQLite found the file corrupt while opening or checking it (a damaged schema page fails the check itself). */
function damagedOr(error: unknown, path: string): unknown {
  return storeFaultOf(error)?.kind === 'damaged' ? new DatabaseDamagedError(path, [(error as Error).message]) : error;
}

type DecisionRow = Pick<CsrRequestRow, 'requester' | 'ips' | 'awaiting_approval' | 'decided_by'>;
