/** What a reconcile asks of the work queue. */
export interface ReconcileOutcome {
  /** Look again after this long (renewal timers, sign delays). */
  readonly requeueAfterMs?: number;
  /** Retry with the key's exponential backoff (a failure that may heal by itself). */
  readonly retry?: boolean;
}

export const DONE: ReconcileOutcome = {};
export const RETRY: ReconcileOutcome = { retry: true };

export type Reconciler = (key: string) => Promise<ReconcileOutcome>;
