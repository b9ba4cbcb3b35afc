import type { CertificateType, Ipv4 } from '../../ca/index.js';
import { APPROVAL_CONDITION_TYPES, APPROVAL_REASONS, approvalDecisionOf, withCondition, type ApprovalDecision } from '../../custom-resources/approval-conditions.js';
import type { CertificateRequest, Condition } from '../../custom-resources/crd-types.js';
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

/**
 * A REST request as a CertificateRequest with spec.request; pending while it has no Ready condition.
 * One the approval policy held waits, in addition, for an Approved or Denied condition.
 */
export function restRecordObject(request: NewCsrRequest, namespace: string): CertificateRequest {
  return {
    apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
    kind: 'CertificateRequest',
    metadata: {
      name: recordNameOf(request.id),
      namespace,
      labels: {
        [LABELS.source]: 'rest',
        [LABELS.csrSha256Prefix]: hashPrefix(request.csrSha256),
        ...(request.awaitingApproval ? { [LABELS.approvalRequired]: 'true' } : {}),
      },
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

/**
 * The status of a signed record. With `earlier` (a REST record's conditions) those are kept, and
 * one no approver decided is marked Approved by the policy, as cert-manager marks what its approver passed.
 */
export function issuedStatus(
  certificate: Pick<IssuedCertificateRecord, 'certificatePem' | 'serialNumber' | 'notBefore' | 'notAfter'>,
  at: Date,
  earlier?: readonly Condition[],
): NonNullable<CertificateRequest['status']> {
  const approved =
    earlier === undefined || approvalDecisionOf(earlier)
      ? earlier
      : withCondition(earlier, { type: APPROVAL_CONDITION_TYPES.approved, status: 'True', reason: APPROVAL_REASONS.policy, message: 'Approved by the REST approval policy' }, kubeTime(at));
  return {
    conditions: withCondition(approved, { type: 'Ready', status: 'True', reason: 'Issued', message: `Certificate ${certificate.serialNumber} issued` }, kubeTime(at)),
    certificate: certificate.certificatePem,
    serialNumber: certificate.serialNumber,
    notBefore: kubeTime(certificate.notBefore),
    notAfter: kubeTime(certificate.notAfter),
    revision: 1,
  };
}

/** The status of a denied record; `earlier` conditions (an approver's Denied) are kept. */
export function deniedStatus(reason: string, at: Date, earlier?: readonly Condition[]): NonNullable<CertificateRequest['status']> {
  return {
    conditions: withCondition(earlier, { type: 'Ready', status: 'False', reason: 'Denied', message: reason }, kubeTime(at)),
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

/** Held by the approval policy, and neither Approved nor Denied yet. */
export function awaitingApprovalOf(cr: CertificateRequest): boolean {
  return cr.metadata.labels?.[LABELS.approvalRequired] === 'true' && recordStatusOf(cr) === 'pending' && approvalDecisionOf(cr.status?.conditions) === undefined;
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
    ...approvalFieldsOf(cr, status),
  };
}

/** Whether it waits for an approver, who decided, and an approver's denial the signer has yet to record. */
function approvalFieldsOf(cr: CertificateRequest, status: RequestStatus): Pick<CsrRequestRecord, 'awaitingApproval' | 'decidedBy' | 'approverDenial'> {
  const required = cr.metadata.labels?.[LABELS.approvalRequired] === 'true';
  const approval = approvalDecisionOf(cr.status?.conditions);
  const decidedBy = decidedByOf(cr, required ? approval : undefined);
  return {
    ...(required ? { awaitingApproval: awaitingApprovalOf(cr) } : {}),
    ...(decidedBy ? { decidedBy } : {}),
    ...(status === 'pending' && approval?.decision === 'denied' ? { approverDenial: approval.message || 'denied' } : {}),
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

/** The administrator (admin API), else the condition an approver set on a request that waited for one. */
function decidedByOf(cr: CertificateRequest, approval: ApprovalDecision | undefined): string | undefined {
  const administrator = annotations(cr)[ANNOTATIONS.decidedBy];
  if (administrator !== undefined || approval === undefined) return administrator;
  return `the ${approval.decision === 'approved' ? 'Approved' : 'Denied'} condition (reason ${approval.reason || 'none'})`;
}
