import type { CertificateType, Ipv4 } from '../../ca/index.js';
import type { CertificateRequest } from '../../custom-resources/crd-types.js';
import { ANNOTATIONS, LABELS } from '../../custom-resources/labels.js';
import type { CertificateRevocation, CsrRequestRecord, Door, IssuedCertificateRecord, NewCsrRequest, RequestStatus } from '../records.js';
import { hashPrefix, recordNameOf } from './record-names.js';

type Annotated = Record<string, string>;

function iso(date: Date): string {
  return date.toISOString();
}

/** RFC 3339 with whole seconds (the CRD's date-time fields). */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A REST request as a CertificateRequest with spec.request; pending while it has no Ready condition. */
export function restRecordObject(request: NewCsrRequest, namespace: string): CertificateRequest {
  return {
    apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
    kind: 'CertificateRequest',
    metadata: {
      name: recordNameOf(request.id),
      namespace,
      labels: { [LABELS.source]: 'rest', [LABELS.csrSha256Prefix]: hashPrefix(request.csrSha256) },
      annotations: {
        [ANNOTATIONS.requestId]: request.id,
        [ANNOTATIONS.csrSha256]: request.csrSha256,
        [ANNOTATIONS.requester]: request.requester,
        [ANNOTATIONS.createdAt]: iso(request.createdAt),
        [ANNOTATIONS.ipAddresses]: request.ips.join(','),
        [ANNOTATIONS.metadata]: JSON.stringify(request.metadata),
        [ANNOTATIONS.subjectSpki]: Buffer.from(request.subjectSpki).toString('base64'),
      },
    },
    spec: { type: request.type, request: request.csrPem.trim() + '\n' },
  };
}

/** An ACME (or other synchronous) issuance as a complete record: spec.request plus, once written, its status. */
export function issuedRecordObject(certificate: IssuedCertificateRecord & { csrPem: string }, namespace: string, name: string): CertificateRequest {
  return {
    apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
    kind: 'CertificateRequest',
    metadata: {
      name,
      namespace,
      labels: { [LABELS.source]: certificate.door, [LABELS.serialNumber]: certificate.serialNumber },
      annotations: {
        [ANNOTATIONS.requester]: certificate.requester,
        [ANNOTATIONS.createdAt]: iso(certificate.issuedAt),
        [ANNOTATIONS.ipAddresses]: certificate.ips.join(','),
        [ANNOTATIONS.door]: certificate.door,
        ...(certificate.requestId ? { [ANNOTATIONS.requestId]: certificate.requestId } : {}),
      },
    },
    spec: { type: certificate.type, request: certificate.csrPem.trim() + '\n' },
  };
}

export function issuedStatus(certificate: Pick<IssuedCertificateRecord, 'certificatePem' | 'serialNumber' | 'notBefore' | 'notAfter'>, at: Date): NonNullable<CertificateRequest['status']> {
  return {
    conditions: [{ type: 'Ready', status: 'True', reason: 'Issued', message: `Certificate ${certificate.serialNumber} issued`, lastTransitionTime: kubeTime(at) }],
    certificate: certificate.certificatePem,
    serialNumber: certificate.serialNumber,
    notBefore: kubeTime(certificate.notBefore),
    notAfter: kubeTime(certificate.notAfter),
    revision: 1,
  };
}

export function deniedStatus(reason: string, at: Date): NonNullable<CertificateRequest['status']> {
  return {
    conditions: [{ type: 'Ready', status: 'False', reason: 'Denied', message: reason, lastTransitionTime: kubeTime(at) }],
    lastFailureTime: kubeTime(at),
  };
}

function annotations(cr: CertificateRequest): Annotated {
  return cr.metadata.annotations ?? {};
}

function ipsOf(cr: CertificateRequest): Ipv4[] {
  const text = annotations(cr)[ANNOTATIONS.ipAddresses] ?? '';
  return text === '' ? [] : text.split(',');
}

export function recordStatusOf(cr: CertificateRequest): RequestStatus {
  const ready = readyOf(cr);
  if (ready?.status === 'True') return 'approved';
  if (ready?.status === 'False' && ready.reason !== 'Pending') return 'denied';
  return 'pending';
}

function readyOf(cr: CertificateRequest) {
  return cr.status?.conditions?.find((condition) => condition.type === 'Ready');
}

function createdAtOf(cr: CertificateRequest): Date {
  return new Date(annotations(cr)[ANNOTATIONS.createdAt] ?? cr.metadata.creationTimestamp ?? 0);
}

function specOf(cr: CertificateRequest): { type: CertificateType; request: string } {
  const spec = cr.spec as { type?: CertificateType; request?: string };
  return { type: spec.type ?? 'webhook', request: spec.request ?? '' };
}

/** What the decision added: the certificate once approved, the reason once denied. */
function outcomeOf(cr: CertificateRequest, status: RequestStatus): Pick<CsrRequestRecord, 'certificatePem' | 'serialNumber' | 'denyReason'> {
  if (status === 'denied') return { denyReason: readyOf(cr)?.message ?? 'denied' };
  if (status !== 'approved') return {};
  const { certificate, serialNumber } = cr.status ?? {};
  return { ...(certificate ? { certificatePem: certificate } : {}), ...(serialNumber ? { serialNumber } : {}) };
}

export function csrRequestRecordOf(cr: CertificateRequest, id: string): CsrRequestRecord {
  const notes = annotations(cr);
  const status = recordStatusOf(cr);
  const decidedAt = readyOf(cr)?.lastTransitionTime;
  const createdAt = createdAtOf(cr);
  const spec = specOf(cr);
  return {
    id,
    type: spec.type,
    status,
    csrPem: spec.request,
    csrSha256: notes[ANNOTATIONS.csrSha256] ?? '',
    subjectSpki: new Uint8Array(Buffer.from(notes[ANNOTATIONS.subjectSpki] ?? '', 'base64')),
    ips: ipsOf(cr),
    metadata: parseMetadata(notes[ANNOTATIONS.metadata]),
    requester: notes[ANNOTATIONS.requester] ?? '',
    createdAt,
    updatedAt: status !== 'pending' && decidedAt ? new Date(decidedAt) : createdAt,
    ...outcomeOf(cr, status),
  };
}

export function issuedCertificateRecordOf(cr: CertificateRequest): IssuedCertificateRecord | undefined {
  const status = cr.status;
  if (!status?.serialNumber || !status.certificate || !status.notBefore || !status.notAfter) return undefined;
  const notes = annotations(cr);
  const requestId = notes[ANNOTATIONS.requestId];
  return {
    serialNumber: status.serialNumber,
    door: (cr.metadata.labels?.[LABELS.source] ?? 'kubernetes') as Door,
    type: specOf(cr).type,
    ips: ipsOf(cr),
    notBefore: new Date(status.notBefore),
    notAfter: new Date(status.notAfter),
    requester: notes[ANNOTATIONS.requester] ?? '',
    issuedAt: readyOf(cr)?.lastTransitionTime ? new Date(readyOf(cr)!.lastTransitionTime!) : createdAtOf(cr),
    certificatePem: status.certificate,
    ...(requestId ? { requestId } : {}),
    ...revocationFieldsOf(cr),
  };
}

/** The ledger's revocation of this record's certificate, once status.revokedAt is written. */
export function revocationOf(cr: CertificateRequest): CertificateRevocation | undefined {
  const { serialNumber, revokedAt, revocationReason } = cr.status ?? {};
  if (!serialNumber || !revokedAt || typeof revocationReason !== 'number') return undefined;
  return { serialNumber, revokedAt: new Date(revokedAt), reason: revocationReason };
}

function revocationFieldsOf(cr: CertificateRequest): Pick<IssuedCertificateRecord, 'revokedAt' | 'revocationReason'> {
  const revocation = revocationOf(cr);
  return revocation ? { revokedAt: revocation.revokedAt, revocationReason: revocation.reason } : {};
}

function parseMetadata(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

/**
 * Until when a REST or ACME record is kept: `retentionMs` past its certificate's notAfter, or past
 * the decision of a denied request; undefined while it is pending (never collected).
 */
export function retainedUntil(cr: CertificateRequest, retentionMs: number): number | undefined {
  const status = recordStatusOf(cr);
  if (status === 'approved') return cr.status?.notAfter ? new Date(cr.status.notAfter).getTime() + retentionMs : undefined;
  if (status === 'denied') {
    const decided = readyOf(cr)?.lastTransitionTime;
    return decided ? new Date(decided).getTime() + retentionMs : undefined;
  }
  return undefined;
}
