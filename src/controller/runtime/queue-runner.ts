import { isConflict } from '../../kube/kube-errors.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Reconciler } from './reconcile-outcome.js';
import type { WorkQueue } from './work-queue.js';

export interface ReconcileCounters {
  reconciles: number;
  errors: number;
  conflicts: number;
}

/** Feeds a queue's keys to a reconciler and turns its outcome into requeues, retries or forgetting. */
export function runQueue(queue: WorkQueue, reconcile: Reconciler, logger: Logger, counters: ReconcileCounters, name: string): void {
  queue.start(async (key) => {
    counters.reconciles += 1;
    try {
      const outcome = await reconcile(key);
      if (outcome.retry) {
        queue.addRateLimited(key);
        return;
      }
      queue.forget(key);
      if (outcome.requeueAfterMs !== undefined) queue.addAfter(key, Math.max(outcome.requeueAfterMs, 1));
    } catch (error) {
      const delay = queue.addRateLimited(key);
      if (isConflict(error)) {
        counters.conflicts += 1;
        logger.debug({ controller: name, key, retryInMs: delay }, 'conflict writing; retrying with fresh state');
      } else {
        counters.errors += 1;
        logger.warn({ controller: name, key, err: error, retryInMs: delay }, 'reconcile failed; retrying');
      }
    }
  });
}
