/** Labels and annotations the product puts on Kubernetes objects (shared by controller and store). */
export const LABELS = {
  /** On Secrets the controller writes for a CertificateRequest; the Secret informer selects on it. */
  managedSecret: 'ca.sms-gate.app/managed',
  /** On CertificateRequests recorded by a door other than kubectl: rest | acme. */
  source: 'ca.sms-gate.app/source',
  /** On REST records: the first 40 hex digits of the CSR's SHA-256 (labels hold at most 63 characters). */
  csrSha256Prefix: 'ca.sms-gate.app/csr-sha256',
  /** On REST and ACME records once signed: the certificate serial (lower-case hex). */
  serialNumber: 'ca.sms-gate.app/serial-number',
  /** On REST and ACME records whose certificate is revoked (status.revokedAt): what the CRL lists. */
  revoked: 'ca.sms-gate.app/revoked',
  /** On REST records the approval policy held for an administrator: signed only once the record is Approved. */
  approvalRequired: 'ca.sms-gate.app/approval-required',
  /** On Events written as audit entries by the Kubernetes store. */
  audit: 'ca.sms-gate.app/audit',
} as const;

export const ANNOTATIONS = {
  certificateRequest: 'ca.sms-gate.app/certificate-request',
  serialNumber: 'ca.sms-gate.app/serial-number',
  ipAddresses: 'ca.sms-gate.app/ip-addresses',
  notBefore: 'ca.sms-gate.app/not-before',
  notAfter: 'ca.sms-gate.app/not-after',
  specHash: 'ca.sms-gate.app/spec-hash',
  revision: 'ca.sms-gate.app/revision',
  issuer: 'ca.sms-gate.app/issuer',
  /** REST records: the SMSGate request id, the full CSR hash, who asked, when (ms precision). */
  requestId: 'ca.sms-gate.app/request-id',
  csrSha256: 'ca.sms-gate.app/csr-sha256',
  requester: 'ca.sms-gate.app/requester',
  createdAt: 'ca.sms-gate.app/created-at',
  updatedAt: 'ca.sms-gate.app/updated-at',
  metadata: 'ca.sms-gate.app/metadata',
  subjectSpki: 'ca.sms-gate.app/subject-spki',
  door: 'ca.sms-gate.app/door',
  audit: 'ca.sms-gate.app/audit-entry',
  /** REST records decided through the admin API: the administrator ("token name (id)"). */
  decidedBy: 'ca.sms-gate.app/decided-by',
  /** On the CA Secret: the last cRLNumber handed out (RFC 5280 §5.2.3), shared by every replica. */
  crlNumber: 'ca.sms-gate.app/crl-number',
} as const;

export const RECORD_SOURCES = ['rest', 'acme'] as const;
export type RecordSource = (typeof RECORD_SOURCES)[number];
