import type { ObjectMeta } from './crd-types.js';

/** The parts of cert-manager's `cert-manager.io/v1` CertificateRequest an external issuer reads and writes. */
export interface CertManagerCondition {
  type: 'Ready' | 'InvalidRequest' | 'Approved' | 'Denied' | (string & {});
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface CertManagerCertificateRequest {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    /** Base64 of a PEM CSR (cert-manager stores []byte fields in base64). */
    request: string;
    issuerRef: { name: string; kind?: string; group?: string };
    /** Go duration. */
    duration?: string;
    isCA?: boolean;
    usages?: string[];
    username?: string;
    uid?: string;
  };
  status?: {
    conditions?: CertManagerCondition[];
    /** Base64 PEM: the leaf and its chain. */
    certificate?: string;
    /** Base64 PEM: the root. */
    ca?: string;
    /** RFC 3339. */
    failureTime?: string;
  };
}

/** cert-manager's reason strings for the Ready condition. */
export const CERT_MANAGER_REASONS = { pending: 'Pending', issued: 'Issued', failed: 'Failed', denied: 'Denied' } as const;
