import type { CaError } from '../ca/index.js';
import { isConflict } from '../kube/kube-errors.js';
import { conditionReasonFor, isFinalRefusal, type RefusalReason } from './ca-error-reason.js';
import { RETRY, type ReconcileOutcome } from './runtime/reconcile-outcome.js';

/** cert-manager's and issuer-lib's default: a request still failing this long after it began is Failed. */
export const DEFAULT_MAX_RETRY_DURATION_MS = 60 * 60_000;

/**
 * Certificates signed but not yet stored, by object uid. A status (or Secret) write that fails
 * with a conflict is retried with the same certificate: an object is never signed twice.
 */
export class UnwrittenCertificates<Signed> {
  private readonly signed = new Map<string, Signed>();

  get(uid: string): Signed | undefined {
    return this.signed.get(uid);
  }

  set(uid: string, signed: Signed): void {
    this.signed.set(uid, signed);
  }

  /** Forget one object (stored, deleted, settled) or, without a uid, all of them (leadership lost). */
  forget(uid?: string): void {
    if (uid === undefined) this.signed.clear();
    else this.signed.delete(uid);
  }

  get size(): number {
    return this.signed.size;
  }
}

/** A passing failure as the object's status shows it. */
export interface PassingFailure {
  /** For the condition and the Event: "Failed to sign the certificate, will retry: …" or "Failed permanently to …". */
  readonly message: string;
  readonly error: unknown;
}

type Stage = 'sign' | 'store';

/** What one door's request contributes to the shared routine. */
export interface RequestSteps<Signed> {
  /** The object's uid: the key of the unwritten certificate. */
  readonly uid: string;
  /** Once past this instant a passing failure is final (Failed); absent: retried without end. */
  readonly retryDeadline?: Date;
  /** The controller's clock. */
  now(): Date;
  /** Whether a certificate signed earlier still fits the object (same spec, same CA); default yes. */
  stillFits?(earlier: Signed): boolean;
  /** Signs through the issuance service (which applies the policy and audits); throws CaError on refusal. */
  sign(): Promise<Signed>;
  /** Records a final refusal: a conditional status patch and a Warning Event; says what the queue does next. */
  refuse(reason: RefusalReason, error: CaError): Promise<ReconcileOutcome>;
  /**
   * Records a passing failure: Ready=False reason Pending naming it and a Warning Event (the Event
   * alone when the status cannot be written either). The routine then rethrows for the backoff.
   */
  retrying(failure: PassingFailure): Promise<void>;
  /** Retrying went on past the deadline: Ready=False reason Failed; says what the queue does next. */
  giveUp(failure: PassingFailure): Promise<ReconcileOutcome>;
  /**
   * Stores the certificate where the requester reads it (a Secret, or the status) with a conditional
   * write; false when it cannot be stored now and the object's status already says why.
   */
  store(signed: Signed): Promise<boolean>;
  /** After it is stored: the Normal Event and any remaining status; says what the queue does next. */
  announce(signed: Signed): Promise<ReconcileOutcome>;
}

/**
 * The request reconcile every door shares, in the manner of cert-manager's issuer-lib: sign once →
 * conditional status patch → Event. Each exit says what the work queue does next.
 */
export async function reconcileRequest<Signed>(unwritten: UnwrittenCertificates<Signed>, steps: RequestSteps<Signed>): Promise<ReconcileOutcome> {
  let signed = unwritten.get(steps.uid);
  if (signed && steps.stillFits && !steps.stillFits(signed)) signed = undefined;
  if (!signed) {
    try {
      signed = await steps.sign();
    } catch (error) {
      // Exit 1: a final refusal (malformed, policy, unsatisfiable): recorded in status with an
      // Event, nothing more until the spec changes.
      if (isFinalRefusal(error)) return steps.refuse(conditionReasonFor(error), error);
      // Exit 2: anything passing (a retryable or server-side core fault, an API error): Pending with
      // the message, retried with backoff until the deadline, then Failed.
      return passing(unwritten, steps, 'sign', error);
    }
    unwritten.set(steps.uid, signed);
  }
  let stored: boolean;
  try {
    stored = await steps.store(signed);
  } catch (error) {
    // Exit 3: a write conflict (409) is retried at once with fresh state; the retry finds the same
    // certificate in `unwritten`. Any other write failure (403, 5xx) is passing, as above.
    if (isConflict(error)) throw error;
    return passing(unwritten, steps, 'store', error);
  }
  // Exit 4: not storable now (the status says why): kept, and retried with backoff.
  if (!stored) return RETRY;
  // Exit 5: stored; announced, and the door says when to look again (renewal, or never).
  unwritten.forget(steps.uid);
  return steps.announce(signed);
}

async function passing<Signed>(unwritten: UnwrittenCertificates<Signed>, steps: RequestSteps<Signed>, stage: Stage, error: unknown): Promise<ReconcileOutcome> {
  const cause = error instanceof Error ? error.message : String(error);
  if (steps.retryDeadline && steps.now().getTime() > steps.retryDeadline.getTime()) {
    unwritten.forget(steps.uid);
    return steps.giveUp({ message: `Failed permanently to ${stage} the certificate (the maximum retry duration has passed): ${cause}`, error });
  }
  await steps.retrying({ message: `Failed to ${stage} the certificate, will retry: ${cause}`, error });
  throw error;
}
