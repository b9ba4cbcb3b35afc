import type { IssuedCertificate } from '../ca/index.js';
import type { IssueRequest } from './issuance-types.js';
import type { RequestApprovals } from '../store/interfaces.js';
import type { Door, IssuedCertificateRecord } from '../store/records.js';

/** What the ledger keeps, and how the service asks the store about it. */
export function isRequestApprovals(store: Partial<RequestApprovals>): store is RequestApprovals {
  return typeof store.grantApproval === 'function' && typeof store.denyRequest === 'function';
}

export function csrPemOf(csr: IssueRequest['csr']): { csrPem?: string } {
  return 'pem' in csr ? { csrPem: csr.pem } : {};
}

export function certificateRecord(issued: IssuedCertificate, door: Door, requester: string, at: Date, reference?: string): IssuedCertificateRecord {
  return {
    serialNumber: issued.serialNumber,
    door,
    type: issued.type,
    ips: issued.ips,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    requester,
    issuedAt: at,
    certificatePem: issued.chainPem,
    ...(reference ? { requestId: reference } : {}),
  };
}
