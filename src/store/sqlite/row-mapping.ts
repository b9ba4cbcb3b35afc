import { isCertificateType, type CertificateType } from '../../ca/index.js';
import {
  AUDIT_EVENTS,
  REQUEST_STATUSES,
  type AuditEvent,
  type CsrRequestRecord,
  type Door,
  type IssuedCertificateRecord,
  type RequestStatus,
  type StoredAuditEntry,
} from '../records.js';

export interface CsrRequestRow {
  id: string;
  type: string;
  status: string;
  csr_pem: string;
  csr_sha256: string;
  subject_spki: Buffer;
  ips: string;
  metadata: string;
  requester: string;
  created_at: number;
  updated_at: number;
  serial_number: string | null;
  deny_reason: string | null;
  awaiting_approval: number;
  decided_by: string | null;
  certificate_pem: string | null;
}

export interface CertificateRow {
  serial_number: string;
  door: string;
  type: string;
  ips: string;
  not_before: number;
  not_after: number;
  requester: string;
  issued_at: number;
  certificate_pem: string;
  request_id: string | null;
  revoked_at: number | null;
  revocation_reason: number | null;
}

export interface AuditRow {
  sequence: number;
  at: number;
  event: string;
  door: string;
  requester: string;
  request_id: string | null;
  serial_number: string | null;
  ips: string | null;
  detail: string | null;
  actor: string | null;
}

export function requestFromRow(row: CsrRequestRow): CsrRequestRecord {
  return {
    id: row.id,
    type: certificateType(row.type),
    status: oneOf(row.status, REQUEST_STATUSES, 'status') as RequestStatus,
    csrPem: row.csr_pem,
    csrSha256: row.csr_sha256,
    subjectSpki: new Uint8Array(row.subject_spki),
    ips: stringArray(row.ips),
    metadata: stringRecord(row.metadata),
    requester: row.requester,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    ...(row.certificate_pem !== null ? { certificatePem: row.certificate_pem } : {}),
    ...(row.serial_number !== null ? { serialNumber: row.serial_number } : {}),
    ...(row.deny_reason !== null ? { denyReason: row.deny_reason } : {}),
    ...(row.awaiting_approval === 1 ? { awaitingApproval: true } : {}),
    ...(row.decided_by !== null ? { decidedBy: row.decided_by } : {}),
  };
}

export function certificateFromRow(row: CertificateRow): IssuedCertificateRecord {
  return {
    serialNumber: row.serial_number,
    door: oneOf(row.door, ['rest', 'acme', 'kubernetes'] as const, 'door') as Door,
    type: certificateType(row.type),
    ips: stringArray(row.ips),
    notBefore: new Date(row.not_before),
    notAfter: new Date(row.not_after),
    requester: row.requester,
    issuedAt: new Date(row.issued_at),
    certificatePem: row.certificate_pem,
    ...(row.request_id !== null ? { requestId: row.request_id } : {}),
    ...(row.revoked_at !== null ? { revokedAt: new Date(row.revoked_at), revocationReason: row.revocation_reason ?? 0 } : {}),
  };
}

export function auditFromRow(row: AuditRow): StoredAuditEntry {
  return {
    sequence: row.sequence,
    at: new Date(row.at),
    event: oneOf(row.event, AUDIT_EVENTS, 'event') as AuditEvent,
    door: oneOf(row.door, ['rest', 'acme', 'kubernetes'] as const, 'door') as Door,
    requester: row.requester,
    ...(row.request_id !== null ? { requestId: row.request_id } : {}),
    ...(row.serial_number !== null ? { serialNumber: row.serial_number } : {}),
    ...(row.ips !== null ? { ips: stringArray(row.ips) } : {}),
    ...(row.detail !== null ? { detail: row.detail } : {}),
    ...(row.actor !== null ? { actor: row.actor } : {}),
  };
}

function certificateType(value: string): CertificateType {
  if (!isCertificateType(value)) throw new Error(`corrupt store: unknown certificate type "${value}"`);
  return value;
}

function oneOf(value: string, allowed: readonly string[], column: string): string {
  if (!allowed.includes(value)) throw new Error(`corrupt store: unknown ${column} "${value}"`);
  return value;
}

function stringArray(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error('corrupt store: bad string array');
  return parsed;
}

function stringRecord(json: string): Record<string, string> {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('corrupt store: bad metadata');
  const record: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new Error('corrupt store: bad metadata value');
    record[key] = value;
  }
  return record;
}
