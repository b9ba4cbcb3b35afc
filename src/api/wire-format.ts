import type { CertificateType } from '../ca/index.js';
import type { CsrRequestRecord, RequestStatus } from '../store/records.js';

/** The SMSGate CA's status descriptions, verbatim. */
export const STATUS_MESSAGES: Readonly<Record<RequestStatus, string>> = {
  pending: 'CSR submitted successfully. Await processing.',
  approved: 'CSR approved. The certificate is ready for download.',
  denied: 'CSR denied. Please contact the administrator.',
};

/** ca.PostCSRResponse / ca.GetCSRStatusResponse, plus `reason` when denied (ignored by SMSGate clients). */
export interface CsrStatusBody {
  readonly request_id: string;
  readonly type: CertificateType;
  readonly status: RequestStatus;
  readonly message: string;
  readonly certificate?: string;
  readonly reason?: string;
}

export function csrStatusBody(record: CsrRequestRecord): CsrStatusBody {
  return {
    request_id: record.id,
    type: record.type,
    status: record.status,
    message: STATUS_MESSAGES[record.status],
    ...(record.status === 'approved' && record.certificatePem ? { certificate: record.certificatePem } : {}),
    ...(record.status === 'denied' && record.denyReason ? { reason: record.denyReason } : {}),
  };
}
