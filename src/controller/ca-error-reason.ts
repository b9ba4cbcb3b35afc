import { type CaError, type CaErrorClass, isCaError } from '../ca/index.js';

/** The condition reasons a final refusal carries. */
export type RefusalReason = 'PolicyViolation' | 'InvalidRequest' | 'Failed';

const REASON_OF_CLASS = {
  malformed: 'InvalidRequest',
  policy: 'PolicyViolation',
  unsatisfiable: 'Failed',
  server: 'Failed',
  // Only once retrying has stopped; until then a retryable error is not a refusal.
  retryable: 'Failed',
} as const satisfies Record<CaErrorClass, RefusalReason>;

/**
 * A core refusal that settles the object for this generation. A retryable one is not: the
 * reconciler rethrows it and the queue tries again with backoff, like any other passing error.
 */
export function isFinalRefusal(error: unknown): error is CaError {
  return isCaError(error) && error.errorClass !== 'retryable';
}

/** A final refusal as a condition reason: PolicyViolation (not allowed), InvalidRequest (unreadable CSR) or Failed. */
export function conditionReasonFor(error: CaError): RefusalReason {
  return REASON_OF_CLASS[error.errorClass];
}
