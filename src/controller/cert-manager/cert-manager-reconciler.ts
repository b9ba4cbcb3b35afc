import { LEAF_BACKDATE_MS, LEAF_MAX_VALIDITY_MS, type Clock, type ExtendedKeyUsage } from '../../ca/index.js';
import type { CertManagerCertificateRequest } from '../../custom-resources/cert-manager-types.js';
import { CERT_MANAGER_GROUP } from '../../custom-resources/resource-types.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import { isConflict } from '../../kube/kube-errors.js';
import { objectKey } from '../../kube/kube-object.js';
import type { Logger } from '../../telemetry/logger.js';
import type { EventSink } from '../certificate-request/certificate-request-context.js';
import { formatGoDuration, parseGoDuration } from '../../shared/duration.js';
import type { IssuerResolver } from '../issuers/issuer-resolver.js';
import type { SigningCa } from '../issuers/signing-ca.js';
import { planUsages } from '../requested-usages.js';
import { DEFAULT_MAX_RETRY_DURATION_MS, reconcileRequest, UnwrittenCertificates } from '../request-reconcile.js';
import { DONE, RETRY, type ReconcileOutcome } from '../runtime/reconcile-outcome.js';
import { writeStatusIfChanged } from '../runtime/status-writer.js';
import { planCertManager } from './cert-manager-plan.js';
import { deniedStatus, failedStatus, initializingStatus, ISSUED_MESSAGE, issuedStatus, pendingStatus, refusedStatus } from './cert-manager-status.js';

export interface CertManagerReconcilerOptions {
  readonly requests: ResourceClient<CertManagerCertificateRequest>;
  readonly cache: { get(key: string): CertManagerCertificateRequest | undefined; wrote(obj: CertManagerCertificateRequest): void };
  readonly resolver: IssuerResolver;
  readonly events: EventSink;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A request whose signing still fails this long after its creation is Failed. Default 1 h. */
  readonly maxRetryDurationMs?: number;
}

interface Signed {
  readonly chainPem: string;
  readonly rootPem: string;
  readonly serialNumber: string;
  readonly notAfter: Date;
}

type Status = NonNullable<CertManagerCertificateRequest['status']>;

/** What a valid request asks for, read from its spec. */
interface Asked {
  readonly extendedKeyUsages: readonly ExtendedKeyUsage[];
  /** The requested lifetime; undefined: the profile's year. */
  readonly durationMs: number | undefined;
}

/**
 * cert-manager external issuer for `cert-manager.io/v1` CertificateRequests naming an IPIssuer or
 * IPClusterIssuer, with issuer-lib's conditions: Ready=Unknown/Initializing first; Pending while
 * the issuer is missing or signing fails in passing (with backoff); Failed with a failureTime once
 * refused, or once still failing after the maximum retry duration since creation; Issued. Signs
 * once per request: a status write that fails (409) is retried with the same certificate.
 */
export class CertManagerReconciler {
  private readonly unwritten = new UnwrittenCertificates<Signed>();

  constructor(private readonly options: CertManagerReconcilerOptions) {}

  forget(uid?: string): void {
    this.unwritten.forget(uid);
  }

  async reconcile(key: string): Promise<ReconcileOutcome> {
    let cr = this.options.cache.get(key);
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
        if (!cr.status?.conditions?.some((condition) => condition.type === 'Ready')) {
          await this.write(cr, initializingStatus(cr, now));
          cr = this.options.cache.get(key) ?? cr;
        }
        return this.sign(cr, now);
    }
  }

  private async sign(cr: CertManagerCertificateRequest, now: Date): Promise<ReconcileOutcome> {
    const ref = cr.spec.issuerRef;
    const resolution = await this.options.resolver.resolve({ kind: ref.kind ?? '', name: ref.name }, cr.metadata.namespace);
    if (!resolution.ok) {
      if (await this.write(cr, pendingStatus(cr, `Waiting for the issuer: ${resolution.message}`, now))) this.event(cr, 'Normal', 'WaitingForIssuer', resolution.message);
      return RETRY;
    }
    const uid = cr.metadata.uid ?? '';
    const asked = readRequest(cr);
    if ('invalid' in asked) {
      this.unwritten.forget(uid);
      return this.refuse(cr, asked.invalid.reason, asked.invalid.message, now);
    }
    const ca = resolution.ca;
    return reconcileRequest(this.unwritten, {
      uid,
      ...this.retryDeadline(cr),
      now: () => this.options.clock.now(),
      sign: () => this.issue(cr, ca, asked, now),
      refuse: (reason, error) => this.refuse(cr, reason, error.message, now),
      retrying: async (failure) => {
        await this.writeQuietly(cr, pendingStatus(cr, failure.message, this.options.clock.now()));
        this.event(cr, 'Warning', 'RetryableError', failure.message);
      },
      giveUp: async (failure) => {
        await this.writeQuietly(cr, failedStatus(cr, failure.message, this.options.clock.now()));
        this.event(cr, 'Warning', 'PermanentError', failure.message);
        return DONE;
      },
      store: async (signed) => {
        await this.write(cr, issuedStatus(cr, signed.chainPem, signed.rootPem, this.options.clock.now(), issuedMessage(asked, signed, now)));
        return true;
      },
      announce: (signed) => {
        const capped = cappedDuration(asked, signed, now);
        if (capped) this.event(cr, 'Warning', 'DurationCapped', capped);
        this.event(cr, 'Normal', 'Issued', `Issued certificate ${signed.serialNumber}, valid until ${signed.notAfter.toISOString()}`);
        return Promise.resolve(DONE);
      },
    });
  }

  private async issue(cr: CertManagerCertificateRequest, ca: SigningCa, asked: Asked, now: Date): Promise<Signed> {
    const notAfter = requestedNotAfter(asked, now);
    const reference = objectKey(cr.metadata.namespace, cr.metadata.name ?? '');
    const issued = await ca.issuer.issue({
      door: 'kubernetes',
      requester: `cert-manager:${reference}${cr.spec.username ? ` (${cr.spec.username})` : ''}`,
      type: 'webhook',
      csr: { pem: Buffer.from(cr.spec.request, 'base64').toString('utf8') },
      ...(notAfter ? { notAfter } : {}),
      extendedKeyUsages: asked.extendedKeyUsages,
      reference: `${CERT_MANAGER_GROUP}/${reference}`,
    });
    return { chainPem: issued.chainPem, rootPem: ca.material.rootPem, serialNumber: issued.serialNumber, notAfter: issued.notAfter };
  }

  /** issuer-lib's rule: retrying stops this long after the request was created. */
  private retryDeadline(cr: CertManagerCertificateRequest): { retryDeadline?: Date } {
    const created = Date.parse(cr.metadata.creationTimestamp ?? '');
    if (Number.isNaN(created)) return {};
    return { retryDeadline: new Date(created + (this.options.maxRetryDurationMs ?? DEFAULT_MAX_RETRY_DURATION_MS)) };
  }

  private async refuse(cr: CertManagerCertificateRequest, reason: string, message: string, now: Date): Promise<ReconcileOutcome> {
    await this.write(cr, refusedStatus(cr, reason, message, now));
    this.event(cr, 'Warning', 'Failed', message);
    return DONE;
  }

  private async write(cr: CertManagerCertificateRequest, status: Status): Promise<boolean> {
    return writeStatusIfChanged({ client: this.options.requests, cache: this.options.cache }, cr, status);
  }

  /**
   * A status that may not be writable (the failure being reported may be the status write itself):
   * the Event still goes out. A conflict is thrown: the queue retries at once with the fresh object.
   */
  private async writeQuietly(cr: CertManagerCertificateRequest, status: Status): Promise<void> {
    try {
      await this.write(cr, status);
    } catch (error) {
      if (isConflict(error)) throw error;
      this.options.logger.debug({ err: error, request: objectKey(cr.metadata.namespace, cr.metadata.name ?? '') }, 'could not write the status of a failing cert-manager CertificateRequest');
    }
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

type Invalid = { readonly invalid: { readonly reason: 'InvalidRequest' | 'UnsupportedUsage'; readonly message: string } };

function invalid(message: string, reason: 'InvalidRequest' | 'UnsupportedUsage' = 'InvalidRequest'): Invalid {
  return { invalid: { reason, message } };
}

/** What the request asks for, or why it is invalid (the InvalidRequest condition's reason and message). */
function readRequest(cr: CertManagerCertificateRequest): Asked | Invalid {
  if (cr.spec.isCA) return invalid('spec.isCA is true; this issuer signs leaf certificates only');
  if (typeof cr.spec.request !== 'string' || cr.spec.request === '') return invalid('spec.request is empty');
  let durationMs: number | undefined;
  if (cr.spec.duration !== undefined) {
    durationMs = parseGoDuration(cr.spec.duration);
    if (durationMs === undefined || durationMs <= 0) return invalid(`spec.duration "${cr.spec.duration}" is not a positive duration`);
  }
  const usages = planUsages(cr.spec.usages);
  if (!usages.ok) return invalid(usages.message, 'UnsupportedUsage');
  return { extendedKeyUsages: usages.extendedKeyUsages, durationMs };
}

/** now + duration, or undefined for the profile's year (cert-manager asks for 90 days by default). */
function requestedNotAfter(asked: Asked, now: Date): Date | undefined {
  const ms = asked.durationMs;
  if (ms === undefined || ms + LEAF_BACKDATE_MS >= LEAF_MAX_VALIDITY_MS) return undefined;
  return new Date(now.getTime() + ms);
}

/** When the requested lifetime was longer than the profile's year: what was asked and what was issued. */
function cappedDuration(asked: Asked, signed: Signed, now: Date): string | undefined {
  if (asked.durationMs === undefined || asked.durationMs <= LEAF_MAX_VALIDITY_MS) return undefined;
  return `spec.duration ${formatGoDuration(asked.durationMs)} is longer than this CA issues (${formatGoDuration(LEAF_MAX_VALIDITY_MS)}); the certificate is valid until ${signed.notAfter.toISOString()}, ${formatGoDuration(signed.notAfter.getTime() - now.getTime())} from now`;
}

function issuedMessage(asked: Asked, signed: Signed, now: Date): string {
  const capped = cappedDuration(asked, signed, now);
  return capped ? `${ISSUED_MESSAGE}; ${capped}` : ISSUED_MESSAGE;
}
