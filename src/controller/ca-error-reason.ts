import { type CaError, type CaErrorClass, isCaError } from '../ca/index.js';

/** The condition reasons a final refusal carries. */
export type RefusalReason = 'PolicyViolation' | 'InvalidRequest' | 'Failed';

const REASON_OF_CLASS = {
  malformed: 'InvalidRequest',
  policy: 'PolicyViolation',
  unsatisfiable: 'Failed',
  // Server-side and retryable faults only once retrying has stopped; until then they are Pending.
  server: 'Failed',
  retryable: 'Failed',
} as const satisfies Record<CaErrorClass, RefusalReason>;

/** The classes that are the requester's to fix; server-side faults may be mended by the operator's owner. */
const FINAL_CLASSES: ReadonlySet<CaErrorClass> = new Set(['malformed', 'policy', 'unsatisfiable']);

/**
 * A core refusal that settles the object for this generation. A retryable or server-side one is
 * not: the request shows Pending with the message and the queue tries again with backoff, up to the
 * maximum retry duration, like any other passing error.
 */
export function isFinalRefusal(error: unknown): error is CaError {
  return isCaError(error) && FINAL_CLASSES.has(error.errorClass);
}

/** A final refusal as a condition reason: PolicyViolation (not allowed), InvalidRequest (unreadable CSR) or Failed. */
export function conditionReasonFor(error: CaError): RefusalReason {
  return REASON_OF_CLASS[error.errorClass];
}
