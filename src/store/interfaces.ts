import type {
  AuditEntry,
  CsrRequestRecord,
  IssuedCertificateRecord,
  NewCsrRequest,
  PendingOutcome,
  StoredAuditEntry,
} from './records.js';

/**
 * Narrow views of the store, one per consumer. Methods are asynchronous so that the Kubernetes
 * store (objects in the API server) can implement them as well as SQLite.
 */

/** The REST door's submit-and-poll requests, as the issuance service uses them. */
export interface CsrRequestStore {
  /**
   * Stores a pending request, or returns the pending one with the same CSR and type (created false).
   * The audit entry is written in the same transaction, and only when a request is created.
   */
  createPending(request: NewCsrRequest, audit: AuditEntry): Promise<{ record: CsrRequestRecord; created: boolean }>;
  findRequest(id: string): Promise<CsrRequestRecord | undefined>;
  /** Every pending request, oldest first: what the worker resumes after a restart. */
  listPending(): Promise<ReadonlyArray<Pick<CsrRequestRecord, 'id' | 'createdAt'>>>;
  /** Records each decision with its certificate and audit entry; one durable commit for the batch. */
  completePending(outcomes: readonly PendingOutcome[]): Promise<void>;
}

/** Certificates issued synchronously (ACME finalize, the Kubernetes controller). */
export interface CertificateLedger {
  recordIssued(certificate: IssuedCertificateRecord, audit: AuditEntry): Promise<void>;
  findCertificate(serialNumber: string): Promise<IssuedCertificateRecord | undefined>;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  list(filter?: { readonly requestId?: string; readonly limit?: number }): Promise<StoredAuditEntry[]>;
}

/** What readiness checks ask. */
export interface StoreHealth {
  ping(): Promise<void>;
}

/** Everything the issuance service needs from a store. */
export type IssuanceStore = CsrRequestStore & CertificateLedger & AuditLog;
