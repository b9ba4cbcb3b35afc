import { isCsrSpec, type CertificateRequest, type CsrCertificateRequestSpec, type SecretCertificateRequestSpec } from '../../custom-resources/crd-types.js';
import { DONE, type ReconcileOutcome } from '../runtime/reconcile-outcome.js';
import type { CertificateRequestContext } from './certificate-request-context.js';
import { CsrCertificateFlow, type RestRecordProcessing } from './csr-certificate-flow.js';
import { SecretCertificateFlow } from './secret-certificate-flow.js';

/** Reconciles `smsgate-ca.sms-gate.app` CertificateRequests: the Secret flow or the CSR flow, by spec. */
export class CertificateRequestReconciler {
  readonly secretFlow: SecretCertificateFlow;
  readonly csrFlow: CsrCertificateFlow;

  constructor(
    private readonly context: CertificateRequestContext,
    rest?: RestRecordProcessing,
  ) {
    this.secretFlow = new SecretCertificateFlow(context);
    this.csrFlow = new CsrCertificateFlow(context, rest);
  }

  async reconcile(key: string): Promise<ReconcileOutcome> {
    const cr = this.context.requestCache.get(key);
    if (!cr || cr.metadata.deletionTimestamp) return DONE;
    if (!cr.spec || typeof cr.spec !== 'object') return DONE;
    if (isCsrSpec(cr.spec)) return this.csrFlow.reconcile(cr as CertificateRequest & { spec: CsrCertificateRequestSpec });
    return this.secretFlow.reconcile(cr as CertificateRequest & { spec: SecretCertificateRequestSpec });
  }

  /** Drops in-memory state for a deleted object, or all of it (leadership lost). */
  forget(uid?: string): void {
    this.secretFlow.forget(uid);
    this.csrFlow.forget(uid);
  }
}
