import type { CertManagerCertificateRequest, CertManagerCondition } from '../../custom-resources/cert-manager-types.js';
import { API_GROUP, ISSUER_KINDS } from '../../custom-resources/crd-types.js';

export type CertManagerPlan =
  /** Not for us, not approved yet, or already final: no write at all. */
  | { readonly kind: 'ignore'; readonly why: 'foreign' | 'unapproved' | 'final' }
  | { readonly kind: 'deny'; readonly message: string }
  | { readonly kind: 'sign' };

/** Ours when issuerRef.group is smsgate-ca.sms-gate.app and the kind is one of our issuers. */
export function isOurCertManagerRequest(cr: CertManagerCertificateRequest): boolean {
  const ref = cr.spec?.issuerRef;
  return ref?.group === API_GROUP && (ISSUER_KINDS as readonly string[]).includes(ref.kind ?? '');
}

function condition(cr: CertManagerCertificateRequest, type: string): CertManagerCondition | undefined {
  return cr.status?.conditions?.find((item) => item.type === type);
}

function isFinal(ready: CertManagerCondition | undefined): boolean {
  if (ready?.status === 'True') return true;
  return ready?.status === 'False' && (ready.reason === 'Failed' || ready.reason === 'Denied');
}

/**
 * Pure: cert-manager's external-issuer contract. Nothing happens before Approved=True; Denied is
 * final (Ready=False, reason Denied); so are Ready=True and Ready=False with reason Failed/Denied.
 */
export function planCertManager(cr: CertManagerCertificateRequest): CertManagerPlan {
  if (!isOurCertManagerRequest(cr)) return { kind: 'ignore', why: 'foreign' };
  if (isFinal(condition(cr, 'Ready'))) return { kind: 'ignore', why: 'final' };
  const denied = condition(cr, 'Denied');
  if (denied?.status === 'True') return { kind: 'deny', message: `The CertificateRequest was denied by an approval controller${denied.message ? `: ${denied.message}` : ''}` };
  if (condition(cr, 'Approved')?.status !== 'True') return { kind: 'ignore', why: 'unapproved' };
  return { kind: 'sign' };
}
