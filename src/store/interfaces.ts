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

/**
 * Revocations in the shared ledger, whatever door asked (docs/ARCHITECTURE.md §1). Optional for an issuance
 * store: one without it leaves revocation to the door's own records.
 */
export interface RevocationLedger {
  /**
   * Marks the certificate revoked and appends the audit entry in the same commit. False, with
   * nothing written, when the ledger does not hold the serial or it is already revoked.
   */
  recordRevocation(revocation: CertificateRevocation, audit: RevocationAuditEntry): Promise<boolean>;
}

/** What CRL publication reads from the ledger. */
export interface RevocationList {
  /**
   * The revoked certificates whose notAfter is at or after `notExpiredAt`, oldest revocation first
   * (then by serial). A store that keeps no revocations returns none.
   */
  listRevoked(notExpiredAt: Date): Promise<CertificateRevocation[]>;
}

/** The cRLNumber sequence (RFC 5280 §5.2.3): strictly increasing, also across restarts. */
export interface CrlNumberSequence {
  /** The next number, durably taken: it is never handed out again. */
  nextCrlNumber(): Promise<number>;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  list(filter?: { readonly requestId?: string; readonly limit?: number }): Promise<StoredAuditEntry[]>;
}

/**
 * Administrators' decisions on REST requests (--rest-approval requester|manual). Each writes the
 * request and its audit entry in one commit.
 */
export interface RequestApprovals {
  /** An awaiting request becomes the signer's; false (nothing written) when it was not awaiting approval. */
  grantApproval(decision: AdminDecision): Promise<boolean>;
  /** A pending request is denied with this reason; false (nothing written) when it was no longer pending. */
  denyRequest(decision: AdminDecision & { readonly reason: string }): Promise<boolean>;
}

/** What the admin API lists, newest first. */
export interface LedgerQueries {
  listRequests(filter: RequestFilter): Promise<CsrRequestRecord[]>;
  listCertificates(filter: CertificateFilter): Promise<IssuedCertificateRecord[]>;
  queryAudit(filter: AuditFilter): Promise<StoredAuditEntry[]>;
}

/** Who a valid admin bearer token belongs to, for the audit log. */
export interface AdminIdentity {
  readonly tokenId: string;
  readonly name: string;
}

export interface AdminTokenVerifier {
  /** The identity of an active token; undefined for a malformed, unknown, wrong or revoked one. */
  verify(token: string): AdminIdentity | undefined;
}

/** What readiness checks ask. */
export interface StoreHealth {
  ping(): Promise<void>;
}

/** Everything the issuance service needs from a store. */
export type IssuanceStore = CsrRequestStore & CertificateLedger & AuditLog;
