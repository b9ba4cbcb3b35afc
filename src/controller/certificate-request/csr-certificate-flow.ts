import type { ExtendedKeyUsage, IssuedCertificate } from '../../ca/index.js';
import type { PendingProcessor } from '../../issuance/issuance-worker.js';
import type { CertificateRequest, CsrCertificateRequestSpec } from '../../custom-resources/crd-types.js';
import { ANNOTATIONS, LABELS } from '../../custom-resources/labels.js';
import { objectKey } from '../../kube/kube-object.js';
import { planUsages } from '../requested-usages.js';
import { reconcileRequest, UnwrittenCertificates } from '../request-reconcile.js';
import type { SigningCa } from '../issuers/signing-ca.js';
import { findCondition } from '../runtime/conditions.js';
import { DONE, RETRY, type ReconcileOutcome } from '../runtime/reconcile-outcome.js';
import { involved, writeStatus, type CertificateRequestContext } from './certificate-request-context.js';
import { failureSteps } from './failure-steps.js';
import { failedStatus, hasReadyCondition, initializingStatus, readyStatus, refusedThisGeneration, retryDeadlineOf } from './certificate-status.js';

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
  private readonly unwritten = new UnwrittenCertificates<IssuedCertificate>();

  constructor(
    private readonly context: CertificateRequestContext,
    private readonly rest: RestRecordProcessing | undefined,
  ) {}

  forget(uid?: string): void {
    this.unwritten.forget(uid);
  }

  async reconcile(request: CertificateRequest & { spec: CsrCertificateRequestSpec }): Promise<ReconcileOutcome> {
    const source = request.metadata.labels?.[LABELS.source];
    if (source === 'rest') return this.decideRestRecord(request);
    if (source !== undefined || isSettled(request)) return DONE;
    const now = this.context.clock.now();
    const cr = await this.initialized(request, now);
    const usages = planUsages(cr.spec.usages);
    if (!usages.ok) {
      await this.fail(cr, 'InvalidSpec', usages.message);
      return DONE;
    }
    const ref = cr.spec.issuerRef;
    const resolution = await this.context.resolver.resolve(ref ? { kind: ref.kind ?? 'IPIssuer', name: ref.name } : undefined, cr.metadata.namespace);
    if (!resolution.ok) {
      await this.fail(cr, 'Pending', resolution.message);
      return RETRY;
    }
    const ca = resolution.ca;
    return reconcileRequest(this.unwritten, {
      uid: cr.metadata.uid ?? '',
      retryDeadline: retryDeadlineOf(cr, this.context.maxRetryDurationMs, now),
      now: () => this.context.clock.now(),
      sign: () => this.sign(cr, ca, usages.extendedKeyUsages),
      refuse: async (reason, error) => {
        await this.fail(cr, reason === 'Failed' ? 'Failed' : 'PolicyViolation', error.message);
        return DONE;
      },
      ...failureSteps(this.context, cr),
      store: async (issued) => {
        await writeStatus(this.context, cr, readyStatus(cr, { ...issued, revision: 1 }, undefined, this.context.clock.now(), { certificate: issued.chainPem }));
        return true;
      },
      announce: (issued) => {
        this.context.events.record(involved(cr), 'Normal', 'Issued', `Issued certificate ${issued.serialNumber} for ${issued.ips.join(', ')}; valid until ${issued.notAfter.toISOString()}`);
        return Promise.resolve(DONE);
      },
    });
  }

  private sign(cr: CertificateRequest & { spec: CsrCertificateRequestSpec }, ca: SigningCa, extendedKeyUsages: readonly ExtendedKeyUsage[]): Promise<IssuedCertificate> {
    const reference = objectKey(cr.metadata.namespace, cr.metadata.name ?? '');
    return ca.issuer.issue({ door: 'kubernetes', requester: `kubernetes:${reference}`, type: cr.spec.type ?? 'webhook', csr: { pem: cr.spec.request }, extendedKeyUsages, reference });
  }

  /** Ready=Unknown/Initializing on an object we have not written yet; the object as written. */
  private async initialized<T extends CertificateRequest>(cr: T, now: Date): Promise<T> {
    if (hasReadyCondition(cr)) return cr;
    await writeStatus(this.context, cr, initializingStatus(cr, now));
    return (this.context.requestCache.get(objectKey(cr.metadata.namespace, cr.metadata.name ?? '')) as T | undefined) ?? cr;
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

/** Signed already, or refused for this generation: nothing to do until the spec changes. */
function isSettled(cr: CertificateRequest): boolean {
  const signed = findCondition(cr.status?.conditions, 'Ready')?.status === 'True' && Boolean(cr.status?.certificate);
  return signed || refusedThisGeneration(cr);
}
