import { backoffDelay } from '../shared/backoff.js';
import type { Clock } from '../shared/clock.js';
import type { CsrRequestRecord } from '../store/records.js';
import type { Logger } from '../telemetry/logger.js';
import type { CaMetrics } from '../telemetry/metrics.js';

/** What the worker drives; IssuanceService implements it. */
export interface PendingProcessor {
  listPending(): Promise<ReadonlyArray<Pick<CsrRequestRecord, 'id' | 'createdAt'>>>;
  processPending(ids: readonly string[]): Promise<void>;
}

export interface IssuanceWorkerOptions {
  readonly processor: PendingProcessor;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: CaMetrics;
  /** Minimum time a request stays pending before it is signed. */
  readonly signDelayMs?: number;
  /** Requests signed per step; one store commit per step. */
  readonly batchSize?: number;
  /** Wait before retrying a step that failed (store error), doubling while it keeps failing. */
  readonly retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 60_000;

interface QueueItem {
  readonly id: string;
  readonly dueAt: number;
}

/**
 * Signs pending requests in the background, in arrival order, a batch per event-loop turn so HTTP
 * stays responsive. On start it resumes whatever a previous process left pending.
 */
export class IssuanceWorker {
  private readonly queue: QueueItem[] = [];
  private readonly queued = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private step: Promise<void> | undefined;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  /** Steps failed in a row. */
  private failures = 0;

  constructor(private readonly options: IssuanceWorkerOptions) {}

  get running(): boolean {
    return this.state === 'running';
  }

  get queueLength(): number {
    return this.queue.length;
  }

  async start(): Promise<void> {
    this.state = 'running';
    const pending = await this.options.processor.listPending();
    if (pending.length > 0) this.options.logger.info({ count: pending.length }, 'resuming pending certificate requests');
    for (const request of pending) this.enqueue(request);
  }

  enqueue(request: Pick<CsrRequestRecord, 'id' | 'createdAt'>): void {
    if (this.state === 'stopped' || this.queued.has(request.id)) return;
    this.queued.add(request.id);
    // Insert in due order; arrivals are almost always last, so scan from the end.
    const item = { id: request.id, dueAt: request.createdAt.getTime() + (this.options.signDelayMs ?? 0) };
    let index = this.queue.length;
    while (index > 0 && this.queue[index - 1]!.dueAt > item.dueAt) index--;
    this.queue.splice(index, 0, item);
    this.options.metrics?.pendingRequests.set(this.queue.length);
    this.schedule();
  }

  /** Stops taking new steps and waits for the one in flight; pending requests stay in the store. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.step;
  }

  private schedule(): void {
    if (this.state !== 'running' || this.step || this.queue.length === 0) return;
    const wait = this.queue[0]!.dueAt - this.options.clock.now().getTime();
    clearTimeout(this.timer);
    if (wait > 0) {
      this.timer = setTimeout(() => this.schedule(), Math.min(wait, 2 ** 31 - 1));
      return;
    }
    this.timer = undefined;
    this.step = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.runStep()).finally(() => {
      this.step = undefined;
      this.schedule();
    });
  }

  private async runStep(): Promise<void> {
    const now = this.options.clock.now().getTime();
    const batch: QueueItem[] = [];
    while (batch.length < (this.options.batchSize ?? 32) && this.queue.length > 0 && this.queue[0]!.dueAt <= now) batch.push(this.queue.shift()!);
    try {
      await this.options.processor.processPending(batch.map((item) => item.id));
      for (const item of batch) this.queued.delete(item.id);
      this.failures = 0;
    } catch (error) {
      this.options.logger.error({ err: error, count: batch.length }, 'signing step failed; will retry');
      this.failures += 1;
      const retryAt = now + backoffDelay(this.failures, { initialMs: this.options.retryDelayMs ?? 1000, maxMs: MAX_RETRY_DELAY_MS });
      this.queue.unshift(...batch.map((item) => ({ id: item.id, dueAt: retryAt })));
    }
    this.options.metrics?.pendingRequests.set(this.queue.length);
  }
}
