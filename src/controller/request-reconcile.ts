import type { CaError } from '../ca/index.js';
import { conditionReasonFor, isFinalRefusal, type RefusalReason } from './ca-error-reason.js';
import { RETRY, type ReconcileOutcome } from './runtime/reconcile-outcome.js';

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

/** What one door's request contributes to the shared routine. */
export interface RequestSteps<Signed> {
  /** The object's uid: the key of the unwritten certificate. */
  readonly uid: string;
  /** Whether a certificate signed earlier still fits the object (same spec, same CA); default yes. */
  stillFits?(earlier: Signed): boolean;
  /** Signs through the issuance service (which applies the policy and audits); throws CaError on refusal. */
  sign(): Promise<Signed>;
  /** Records a final refusal: a conditional status patch and a Warning Event; says what the queue does next. */
  refuse(reason: RefusalReason, error: CaError): Promise<ReconcileOutcome>;
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
      // Exit 1: a final refusal (malformed, policy, unsatisfiable, server-side): recorded in status
      // with an Event, nothing more until the spec changes.
      if (isFinalRefusal(error)) return steps.refuse(conditionReasonFor(error), error);
      // Exit 2: anything passing (a retryable core fault, an API error): the queue retries this key
      // with exponential backoff. A Pending condition and a deadline after which it fails belong here.
      throw error;
    }
    unwritten.set(steps.uid, signed);
  }
  // Exit 3: a write conflict (409) throws; the retry finds the same certificate in `unwritten`.
  // Exit 4: not storable now (the status says why): kept, and retried with backoff.
  if (!(await steps.store(signed))) return RETRY;
  // Exit 5: stored; announced, and the door says when to look again (renewal, or never).
  unwritten.forget(steps.uid);
  return steps.announce(signed);
}
