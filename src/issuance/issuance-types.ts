import type { CertificateType, CsrCheck, ExtendedKeyUsage, Ipv4 } from '../ca/index.js';
import type { CsrRequestRecord, Door } from '../store/records.js';

/** The REST door: a CSR to be stored as pending and signed by the worker. */
export interface SubmitRequest {
  readonly csrPem: string;
  readonly type: CertificateType;
  readonly metadata: Readonly<Record<string, string>>;
  /** The client address, as the door determined it. */
  readonly requester: string;
}

export interface SubmitResult {
  readonly record: CsrRequestRecord;
  /** False when a pending request for the same CSR and type already existed and is returned instead. */
  readonly created: boolean;
}

/** ACME finalize and the Kubernetes controller: sign now, answer with the certificate. */
export interface IssueRequest {
  readonly door: Exclude<Door, 'rest'>;
  readonly requester: string;
  readonly type: CertificateType;
  /**
   * A CSR (ACME finalize, Kubernetes records with spec.request, cert-manager), checked with the
   * door's profile, then with the IPs it must name exactly (an ACME order's) and the door's own
   * checks; or a key and IPs the controller generated, checked with the same key and identifier rules.
   */
  readonly csr:
    | { readonly pem: string; readonly identifiers?: readonly Ipv4[]; readonly checks?: readonly CsrCheck[] }
    | { readonly spki: Uint8Array; readonly ips: readonly Ipv4[] };
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** The leaf's extended key usages (the Kubernetes door's `usages`); default serverAuth alone. */
  readonly extendedKeyUsages?: readonly ExtendedKeyUsage[];
  /** The order id or object name the certificate answers, kept in the ledger. */
  readonly reference?: string;
}

/** Any door: a certificate it revoked, for the ledger, the audit log and the metrics. */
export interface RevocationRequest {
  readonly door: Door;
  readonly requester: string;
  readonly serialNumber: string;
  /** RFC 5280 CRLReason code. */
  readonly reason: number;
  /** The certificate's IPs, for the audit entry. */
  readonly ips?: readonly Ipv4[];
  /** The order id or object name the certificate answered. */
  readonly reference?: string;
  /** Why the requester may revoke it, for the audit entry (e.g. "the certificate key"). */
  readonly authority?: string;
  /** The administrator who revoked it, when one did, as "name (id)". */
  readonly actor?: string;
}

/** What became of an administrator's approval or denial. */
export type AdminDecisionResult =
  | { readonly kind: 'decided'; readonly record: CsrRequestRecord }
  /** Not waiting for this decision (already decided, or not awaiting approval): the record as it stands. */
  | { readonly kind: 'conflict'; readonly record: CsrRequestRecord }
  | { readonly kind: 'not-found' };
