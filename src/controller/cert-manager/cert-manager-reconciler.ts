import { LEAF_BACKDATE_MS, LEAF_MAX_VALIDITY_MS, type Clock } from '../../ca/index.js';
import type { CertManagerCertificateRequest } from '../../custom-resources/cert-manager-types.js';
import { CERT_MANAGER_GROUP } from '../../custom-resources/resource-types.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import { objectKey } from '../../kube/kube-object.js';
import type { Logger } from '../../telemetry/logger.js';
import type { EventSink } from '../certificate-request/certificate-request-context.js';
import { parseGoDuration } from '../../shared/duration.js';
import type { IssuerResolver } from '../issuers/issuer-resolver.js';
import { DONE, RETRY, type ReconcileOutcome } from '../runtime/reconcile-outcome.js';
import { writeStatusIfChanged } from '../runtime/status-writer.js';
import { reconcileRequest, UnwrittenCertificates } from '../request-reconcile.js';
import { planCertManager } from './cert-manager-plan.js';
import { deniedStatus, issuedStatus, pendingStatus, refusedStatus } from './cert-manager-status.js';

export interface CertManagerReconcilerOptions {
  readonly requests: ResourceClient<CertManagerCertificateRequest>;
  readonly cache: { get(key: string): CertManagerCertificateRequest | undefined; wrote(obj: CertManagerCertificateRequest): void };
  readonly resolver: IssuerResolver;
  readonly events: EventSink;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface Signed {
  readonly chainPem: string;
  readonly rootPem: string;
  readonly serialNumber: string;
}

/**
 * cert-manager external issuer for `cert-manager.io/v1` CertificateRequests naming an IPIssuer or
 * IPClusterIssuer. Signs once per request: a status write that fails (409) is retried with the
 * same certificate, kept in memory until it is stored.
 */
export class CertManagerReconciler {
  private readonly unwritten = new UnwrittenCertificates<Signed>();

  constructor(private readonly options: CertManagerReconcilerOptions) {}

  forget(uid?: string): void {
    this.unwritten.forget(uid);
  }

  async reconcile(key: string): Promise<ReconcileOutcome> {
    const cr = this.options.cache.get(key);
    if (!cr || cr.metadata.deletionTimestamp) return DONE;
    const plan = planCertManager(cr);
    const now = this.options.clock.now();
    switch (plan.kind) {
      case 'ignore':
        if (plan.why === 'final') this.unwritten.forget(cr.metadata.uid ?? '');
        return DONE;
      case 'deny':
        await this.write(cr, deniedStatus(cr, plan.message, now));
        this.event(cr, 'Warning', 'Denied', plan.message);
        return DONE;
      case 'sign':
        return this.sign(cr, now);
    }
  }

  private async sign(cr: CertManagerCertificateRequest, now: Date): Promise<ReconcileOutcome> {
    const ref = cr.spec.issuerRef;
    const resolution = await this.options.resolver.resolve({ kind: ref.kind ?? '', name: ref.name }, cr.metadata.namespace);
    if (!resolution.ok) {
      await this.write(cr, pendingStatus(cr, resolution.message, now));
      return RETRY;
    }
    const uid = cr.metadata.uid ?? '';
    if (!this.unwritten.get(uid)) {
      const refusal = this.checkRequest(cr);
      if (refusal) return this.refuse(cr, 'InvalidRequest', refusal, now);
    }
    const ca = resolution.ca;
    return reconcileRequest(this.unwritten, {
      uid,
      sign: async () => {
        const notAfter = this.notAfter(cr, now);
        const issued = await ca.issuer.issue({
          door: 'kubernetes',
          requester: `cert-manager:${objectKey(cr.metadata.namespace, cr.metadata.name ?? '')}${cr.spec.username ? ` (${cr.spec.username})` : ''}`,
          type: 'webhook',
          csr: { pem: Buffer.from(cr.spec.request, 'base64').toString('utf8') },
          ...(notAfter ? { notAfter } : {}),
          reference: `${CERT_MANAGER_GROUP}/${objectKey(cr.metadata.namespace, cr.metadata.name ?? '')}`,
        });
        return { chainPem: issued.chainPem, rootPem: ca.material.rootPem, serialNumber: issued.serialNumber };
      },
      refuse: (reason, error) => this.refuse(cr, reason, error.message, now),
      store: async (signed) => {
        await this.write(cr, issuedStatus(cr, signed.chainPem, signed.rootPem, now));
        return true;
      },
      announce: (signed) => {
        this.event(cr, 'Normal', 'Issued', `Issued certificate ${signed.serialNumber}`);
        return Promise.resolve(DONE);
      },
    });
  }

  private checkRequest(cr: CertManagerCertificateRequest): string | undefined {
    if (cr.spec.isCA) return 'spec.isCA is true; this issuer signs leaf certificates only';
    if (typeof cr.spec.request !== 'string' || cr.spec.request === '') return 'spec.request is empty';
    if (cr.spec.duration !== undefined) {
      const ms = parseGoDuration(cr.spec.duration);
      if (ms === undefined || ms <= 0) return `spec.duration "${cr.spec.duration}" is not a positive duration`;
    }
    return undefined;
  }

  /** The requested duration, capped at the one-year profile (cert-manager asks for 90 days by default). */
  private notAfter(cr: CertManagerCertificateRequest, now: Date): Date | undefined {
    const ms = cr.spec.duration === undefined ? undefined : parseGoDuration(cr.spec.duration);
    if (ms === undefined || ms + LEAF_BACKDATE_MS >= LEAF_MAX_VALIDITY_MS) return undefined;
    return new Date(now.getTime() + ms);
  }

  private async refuse(cr: CertManagerCertificateRequest, reason: string, message: string, now: Date): Promise<ReconcileOutcome> {
    await this.write(cr, refusedStatus(cr, reason, message, now));
    this.event(cr, 'Warning', 'Failed', message);
    return DONE;
  }

  private async write(cr: CertManagerCertificateRequest, status: NonNullable<CertManagerCertificateRequest['status']>): Promise<void> {
    await writeStatusIfChanged({ client: this.options.requests, cache: this.options.cache }, cr, status);
  }

  private event(cr: CertManagerCertificateRequest, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.options.events.record(
      { apiVersion: `${CERT_MANAGER_GROUP}/v1`, kind: 'CertificateRequest', name: cr.metadata.name ?? '', namespace: cr.metadata.namespace ?? '', uid: cr.metadata.uid ?? '' },
      type,
      reason,
      message,
    );
  }
}
