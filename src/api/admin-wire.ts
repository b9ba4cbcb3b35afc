import type { CertificateState, CsrRequestRecord, IssuedCertificateRecord, StoredAuditEntry } from '../store/records.js';
import { CRL_REASONS } from '../issuance/revocation-reasons.js';

/** A REST request as the admin API shows it (snake_case, as the SMSGate wire format). */
export interface AdminRequestBody {
  readonly request_id: string;
  readonly type: CsrRequestRecord['type'];
  readonly status: CsrRequestRecord['status'];
  /** Pending and waiting for an administrator's approval or denial. */
  readonly awaiting_approval: boolean;
  readonly ips: readonly string[];
  readonly requester: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly created_at: string;
  readonly updated_at: string;
  readonly serial_number?: string;
  readonly reason?: string;
  readonly decided_by?: string;
}

export function adminRequestBody(record: CsrRequestRecord): AdminRequestBody {
  return {
    request_id: record.id,
    type: record.type,
    status: record.status,
    awaiting_approval: record.awaitingApproval === true,
    ips: record.ips,
    requester: record.requester,
    metadata: record.metadata,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
    ...(record.serialNumber ? { serial_number: record.serialNumber } : {}),
    ...(record.denyReason ? { reason: record.denyReason } : {}),
    ...(record.decidedBy ? { decided_by: record.decidedBy } : {}),
  };
}

export interface AdminCertificateBody {
  readonly serial_number: string;
  readonly door: IssuedCertificateRecord['door'];
  readonly type: IssuedCertificateRecord['type'];
  readonly ips: readonly string[];
  readonly requester: string;
  readonly issued_at: string;
  readonly not_before: string;
  readonly not_after: string;
  readonly state: CertificateState;
  readonly request_id?: string;
  readonly revoked_at?: string;
  /** RFC 5280 CRLReason name. */
  readonly revocation_reason?: string;
  /** Leaf and chain, PEM: only when one certificate is asked for. */
  readonly certificate?: string;
}

export function certificateState(certificate: IssuedCertificateRecord, now: Date): CertificateState {
  if (certificate.revokedAt) return 'revoked';
  return certificate.notAfter > now ? 'valid' : 'expired';
}

export function adminCertificateBody(certificate: IssuedCertificateRecord, now: Date, withPem = false): AdminCertificateBody {
  return {
    serial_number: certificate.serialNumber,
    door: certificate.door,
    type: certificate.type,
    ips: certificate.ips,
    requester: certificate.requester,
    issued_at: certificate.issuedAt.toISOString(),
    not_before: certificate.notBefore.toISOString(),
    not_after: certificate.notAfter.toISOString(),
    state: certificateState(certificate, now),
    ...(certificate.requestId ? { request_id: certificate.requestId } : {}),
    ...(certificate.revokedAt ? { revoked_at: certificate.revokedAt.toISOString(), revocation_reason: CRL_REASONS[certificate.revocationReason ?? 0] ?? 'unspecified' } : {}),
    ...(withPem ? { certificate: certificate.certificatePem } : {}),
  };
}

export interface AdminAuditBody {
  readonly sequence: number;
  readonly at: string;
  readonly event: StoredAuditEntry['event'];
  readonly door: StoredAuditEntry['door'];
  readonly requester: string;
  readonly request_id?: string;
  readonly serial_number?: string;
  readonly ips?: readonly string[];
  readonly detail?: string;
  /** The administrator who decided, when one did: "name (token id)". */
  readonly actor?: string;
}

export function adminAuditBody(entry: StoredAuditEntry): AdminAuditBody {
  return {
    sequence: entry.sequence,
    at: entry.at.toISOString(),
    event: entry.event,
    door: entry.door,
    requester: entry.requester,
    ...(entry.requestId ? { request_id: entry.requestId } : {}),
    ...(entry.serialNumber ? { serial_number: entry.serialNumber } : {}),
    ...(entry.ips ? { ips: entry.ips } : {}),
    ...(entry.detail ? { detail: entry.detail } : {}),
    ...(entry.actor ? { actor: entry.actor } : {}),
  };
}
