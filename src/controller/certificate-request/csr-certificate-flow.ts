import { isCaError, type IssuedCertificate } from '../../ca/index.js';
import type { PendingProcessor } from '../../issuance/issuance-worker.js';
import type { CertificateRequest, CsrCertificateRequestSpec } from '../../kube/crd-types.js';
import { ANNOTATIONS, LABELS } from '../../kube/labels.js';
import { objectKey } from '../../kube/kube-object.js';
import { conditionReasonFor } from '../ca-error-reason.js';
import { findCondition } from '../conditions.js';
import { DONE, RETRY, type ReconcileOutcome } from '../reconcile-outcome.js';
import { involved, writeStatus, type CertificateRequestContext } from './certificate-request-context.js';
import { failedStatus, readyStatus, refusedThisGeneration } from './certificate-status.js';

/** REST requests recorded as CertificateRequests are decided by the issuance service's REST path, on the leader only. */
export interface RestRecordProcessing {
  readonly processor: PendingProcessor;
  /** The SMSGate-style minimum time a request stays pending. */
  readonly signDelayMs: number;
}

/**
 * A CertificateRequest with spec.request (a PEM CSR): signed once, the chain goes to
 * status.certificate. Records of the REST door are decided through its own path; ACME records are
 * written complete by the store and left alone.
 */
export class CsrCertificateFlow {
  private readonly unwritten = new Map<string, IssuedCertificate>();

  constructor(
    private readonly context: CertificateRequestContext,
    private readonly rest: RestRecordProcessing | undefined,
  ) {}

  forget(uid?: string): void {
    if (uid === undefined) this.unwritten.clear();
    else this.unwritten.delete(uid);
  }

  async reconcile(cr: CertificateRequest & { spec: CsrCertificateRequestSpec }): Promise<ReconcileOutcome> {
    const source = cr.metadata.labels?.[LABELS.source];
    if (source === 'rest') return this.decideRestRecord(cr);
    if (source !== undefined) return DONE;
    if (findCondition(cr.status?.conditions, 'Ready')?.status === 'True' && cr.status?.certificate) return DONE;
    if (refusedThisGeneration(cr)) return DONE;
    const resolution = await this.context.resolver.resolve(cr.spec.issuerRef ? { kind: cr.spec.issuerRef.kind ?? 'IPIssuer', name: cr.spec.issuerRef.name } : undefined, cr.metadata.namespace);
    if (!resolution.ok) {
      await this.fail(cr, 'Pending', resolution.message);
      return RETRY;
    }
    const uid = cr.metadata.uid ?? '';
    let issued = this.unwritten.get(uid);
    if (!issued) {
      try {
        issued = await resolution.ca.issuer.issue({
          door: 'kubernetes',
          requester: `kubernetes:${objectKey(cr.metadata.namespace, cr.metadata.name ?? '')}`,
          type: cr.spec.type ?? 'webhook',
          csr: { pem: cr.spec.request },
          maxIdentifiers: 100,
          reference: objectKey(cr.metadata.namespace, cr.metadata.name ?? ''),
        });
      } catch (error) {
        if (!isCaError(error)) throw error;
        await this.fail(cr, conditionReasonFor(error) === 'Failed' ? 'Failed' : 'PolicyViolation', error.message);
        return DONE;
      }
      this.unwritten.set(uid, issued);
    }
    const now = this.context.clock.now();
    await writeStatus(this.context, cr, readyStatus(cr, { ...issued, revision: 1 }, undefined, now, { certificate: issued.chainPem }));
    this.unwritten.delete(uid);
    this.context.events.record(involved(cr), 'Normal', 'Issued', `Issued certificate ${issued.serialNumber} for ${issued.ips.join(', ')}; valid until ${issued.notAfter.toISOString()}`);
    return DONE;
  }

  private async decideRestRecord(cr: CertificateRequest): Promise<ReconcileOutcome> {
    const ready = findCondition(cr.status?.conditions, 'Ready');
    if (!this.rest || (ready && ready.reason !== 'Pending')) return DONE;
    const id = cr.metadata.annotations?.[ANNOTATIONS.requestId];
    if (!id) return DONE;
    const createdAt = Date.parse(cr.metadata.annotations?.[ANNOTATIONS.createdAt] ?? cr.metadata.creationTimestamp ?? '');
    const wait = (Number.isNaN(createdAt) ? 0 : createdAt) + this.rest.signDelayMs - this.context.clock.now().getTime();
    if (wait > 0) return { requeueAfterMs: wait };
    await this.rest.processor.processPending([id]);
    return DONE;
  }

  private async fail(cr: CertificateRequest, reason: string, message: string): Promise<void> {
    const written = await writeStatus(this.context, cr, failedStatus(cr, reason, message, this.context.clock.now()));
    if (written) this.context.events.record(involved(cr), 'Warning', reason, message);
  }
}
