import type { CertificateType, Ipv4 } from '../ca/index.js';

export const REQUEST_STATUSES = ['pending', 'approved', 'denied'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Which front door a request or certificate came through (docs/ARCHITECTURE.md §1). */
export type Door = 'rest' | 'acme' | 'kubernetes';

/** A REST certificate request, from submission to its decision. */
export interface CsrRequestRecord {
  readonly id: string;
  readonly type: CertificateType;
  readonly status: RequestStatus;
  readonly csrPem: string;
  /** SHA-256 (hex) of the CSR DER: how a resubmission of the same CSR is recognised. */
  readonly csrSha256: string;
  /** What the policy validated at submission, so the worker does not parse the CSR again. */
  readonly subjectSpki: Uint8Array;
  readonly ips: readonly Ipv4[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly requester: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Leaf + intermediate PEM, once approved. */
  readonly certificatePem?: string;
  readonly serialNumber?: string;
  /** Why the request was denied, once denied. */
  readonly denyReason?: string;
  /** Pending until an administrator approves or denies it (--rest-approval requester|manual); the signer leaves it alone. */
  readonly awaitingApproval?: boolean;
  /** The administrator who approved or denied it, when one did (token name and id). */
  readonly decidedBy?: string;
  /**
   * Denied by an approver outside this process (in a cluster: the request object's Denied
   * condition) and not yet recorded as denied: the reason. The signer records the denial instead of signing.
   */
  readonly approverDenial?: string;
}

export type NewCsrRequest = Omit<CsrRequestRecord, 'status' | 'updatedAt' | 'certificatePem' | 'serialNumber' | 'denyReason' | 'decidedBy' | 'approverDenial'>;

/** One issued certificate, whatever door it came through. */
export interface IssuedCertificateRecord {
  readonly serialNumber: string;
  readonly door: Door;
  readonly type: CertificateType;
  readonly ips: readonly Ipv4[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly requester: string;
  readonly issuedAt: Date;
  /** Leaf + chain PEM. */
  readonly certificatePem: string;
  /** The REST request (or ACME order, Kubernetes object) it answers, when there is one. */
  readonly requestId?: string;
  /** The CSR it was signed for, when there was one (ACME): the Kubernetes store records it as spec.request. */
  readonly csrPem?: string;
  /** Set once revoked (stores that keep a RevocationLedger). */
  readonly revokedAt?: Date;
  /** RFC 5280 CRLReason code, with revokedAt. */
  readonly revocationReason?: number;
}

/** A revocation as the ledger records it. */
export interface CertificateRevocation {
  readonly serialNumber: string;
  readonly revokedAt: Date;
  /** RFC 5280 CRLReason code. */
  readonly reason: number;
}

export const AUDIT_EVENTS = ['submitted', 'refused', 'approved', 'denied', 'issued', 'revoked'] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];
/** What AuditLog.append takes: `revoked` is only ever written together with the ledger change (RevocationLedger). */
export type AppendedAuditEvent = Exclude<AuditEvent, 'revoked'>;

interface AuditFields {
  readonly at: Date;
  readonly door: Door;
  readonly requester: string;
  readonly requestId?: string;
  readonly serialNumber?: string;
  /** IPs concerned, when known. */
  readonly ips?: readonly Ipv4[];
  /** A refusal or denial reason, as a short sentence. */
  readonly detail?: string;
  /** Who decided, when a person did: the administrator's token, as "name (id)". */
  readonly actor?: string;
}

/** One decision, appended and never changed. */
export interface AuditEntry extends AuditFields {
  readonly event: AppendedAuditEvent;
}

/** The audit entry of a revocation, written in the same commit as the ledger change. */
export interface RevocationAuditEntry extends AuditFields {
  readonly event: 'revoked';
  readonly serialNumber: string;
}

export interface StoredAuditEntry extends AuditFields {
  readonly event: AuditEvent;
  readonly sequence: number;
}

/** An administrator's decision on a pending request. */
export interface AdminDecision {
  readonly requestId: string;
  readonly at: Date;
  /** The administrator, as "name (id)". */
  readonly actor: string;
}

/** The admin API's filters; every field narrows, `limit` bounds the answer (newest first). */
export interface RequestFilter {
  readonly status?: RequestStatus;
  /** Only pending requests waiting for an administrator. */
  readonly awaitingApproval?: boolean;
  /** Requests naming this IP. */
  readonly ip?: Ipv4;
  readonly limit: number;
}

export const CERTIFICATE_STATES = ['valid', 'expired', 'revoked'] as const;
export type CertificateState = (typeof CERTIFICATE_STATES)[number];

export interface CertificateFilter {
  readonly ip?: Ipv4;
  /** Serial numbers starting with these hex digits (any case). */
  readonly serialPrefix?: string;
  readonly door?: Door;
  /** `valid`: not revoked and not expired at `now`. */
  readonly state?: CertificateState;
  readonly now: Date;
  readonly limit: number;
}

export interface AuditFilter {
  readonly requestId?: string;
  readonly serialNumber?: string;
  readonly event?: AuditEvent;
  /** Entries with a smaller sequence: the next page. */
  readonly beforeSequence?: number;
  readonly limit: number;
}

/** What the worker decided for one pending request. */
export type PendingOutcome =
  | { readonly kind: 'approved'; readonly requestId: string; readonly certificate: IssuedCertificateRecord; readonly at: Date }
  | { readonly kind: 'denied'; readonly requestId: string; readonly reason: string; readonly at: Date };
