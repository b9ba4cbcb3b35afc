import type { CertificateRequest, CertificateRequestStatus } from '../../custom-resources/crd-types.js';
import { findCondition, kubeTime, removeCondition, setCondition } from '../runtime/conditions.js';

export interface IssuedSummary {
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly revision: number;
}

const READY = 'Ready';
const ISSUING = 'Issuing';

/** Pure: the status of a request whose certificate is current. */
export function readyStatus(cr: CertificateRequest, issued: IssuedSummary, renewalTime: Date | undefined, now: Date, extra: Partial<CertificateRequestStatus> = {}): CertificateRequestStatus {
  const generation = cr.metadata.generation;
  const conditions = removeCondition(
    setCondition(cr.status?.conditions, { type: READY, status: 'True', reason: 'Issued', message: 'Certificate is up to date and has not expired', ...(generation !== undefined ? { observedGeneration: generation } : {}) }, now),
    ISSUING,
  );
  return {
    ...withoutUndefined({ lastFailureTime: cr.status?.lastFailureTime }),
    conditions,
    notBefore: kubeTime(issued.notBefore),
    notAfter: kubeTime(issued.notAfter),
    ...(renewalTime ? { renewalTime: kubeTime(renewalTime) } : {}),
    serialNumber: issued.serialNumber,
    revision: issued.revision,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    ...extra,
  };
}

/**
 * Pure: Ready=False with `reason`. The certificate fields of an earlier issuance stay (they
 * describe what the Secret still holds); lastFailureTime moves only when the failure changes.
 */
export function failedStatus(cr: CertificateRequest, reason: string, message: string, now: Date): CertificateRequestStatus {
  const previous = findCondition(cr.status?.conditions, READY);
  const same = previous?.status === 'False' && previous.reason === reason && previous.message === message;
  const generation = cr.metadata.generation;
  return {
    ...cr.status,
    conditions: removeCondition(
      setCondition(cr.status?.conditions, { type: READY, status: 'False', reason, message, ...(generation !== undefined ? { observedGeneration: generation } : {}) }, now),
      ISSUING,
    ),
    lastFailureTime: same && cr.status?.lastFailureTime ? cr.status.lastFailureTime : kubeTime(now),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

/** Pure: Ready=Unknown reason Initializing, written before anything else when there is no Ready condition yet (issuer-lib's first step). */
export function initializingStatus(cr: CertificateRequest, now: Date): CertificateRequestStatus {
  const generation = cr.metadata.generation;
  return {
    ...cr.status,
    conditions: setCondition(cr.status?.conditions, { type: READY, status: 'Unknown', reason: 'Initializing', message: 'smsgate-ca has started reconciling this CertificateRequest', ...(generation !== undefined ? { observedGeneration: generation } : {}) }, now),
  };
}

export function hasReadyCondition(cr: CertificateRequest): boolean {
  return findCondition(cr.status?.conditions, READY) !== undefined;
}

/**
 * When retrying a failing issuance stops: `maxRetryMs` after Ready last turned False for this
 * generation, or from now when it has not (it was True, Unknown, or about an older spec).
 */
export function retryDeadlineOf(cr: CertificateRequest, maxRetryMs: number, now: Date): Date {
  const ready = findCondition(cr.status?.conditions, READY);
  const falseSince = ready?.status === 'False' && ready.observedGeneration === cr.metadata.generation ? Date.parse(ready.lastTransitionTime ?? '') : Number.NaN;
  return new Date((Number.isNaN(falseSince) ? now.getTime() : falseSince) + maxRetryMs);
}

/** True when the last failure was a policy refusal of this very generation: not retried until the spec changes. */
export function refusedThisGeneration(cr: CertificateRequest): boolean {
  const ready = findCondition(cr.status?.conditions, READY);
  return ready?.status === 'False' && (ready.reason === 'PolicyViolation' || ready.reason === 'InvalidSpec') && ready.observedGeneration === cr.metadata.generation;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
