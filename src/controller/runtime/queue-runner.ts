import { isConflict } from '../../kube/kube-errors.js';
import type { Logger } from '../../telemetry/logger.js';
import type { ControllerMetrics, ReconcileResult } from '../../telemetry/controller-metrics.js';
import type { Reconciler } from './reconcile-outcome.js';
import type { WorkQueue } from './work-queue.js';

export interface ReconcileCounters {
  reconciles: number;
  errors: number;
  conflicts: number;
}

export interface QueueRunnerOptions {
  readonly logger: Logger;
  readonly counters: ReconcileCounters;
  /** The controller's name in logs and metrics. */
  readonly name: string;
  readonly metrics?: Pick<ControllerMetrics, 'reconciled'> | undefined;
}

/** Feeds a queue's keys to a reconciler and turns its outcome into requeues, retries or forgetting. */
export function runQueue(queue: WorkQueue, reconcile: Reconciler, { logger, counters, name, metrics }: QueueRunnerOptions): void {
  queue.start(async (key) => {
    counters.reconciles += 1;
    const started = performance.now();
    const done = (result: ReconcileResult) => metrics?.reconciled(name, result, (performance.now() - started) / 1000);
    try {
      const outcome = await reconcile(key);
      if (outcome.retry) {
        queue.addRateLimited(key);
        done('requeue');
        return;
      }
      queue.forget(key);
      if (outcome.requeueAfterMs !== undefined) queue.addAfter(key, Math.max(outcome.requeueAfterMs, 1));
      done('success');
    } catch (error) {
      const delay = queue.addRateLimited(key);
      if (isConflict(error)) {
        counters.conflicts += 1;
        done('conflict');
        logger.debug({ controller: name, key, retryInMs: delay }, 'conflict writing; retrying with fresh state');
      } else {
        counters.errors += 1;
        done('error');
        logger.warn({ controller: name, key, err: error, retryInMs: delay }, 'reconcile failed; retrying');
      }
    }
  });
}
