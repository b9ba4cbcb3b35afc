import { AcmeProblem } from '../problems.js';
import type { ValidationOutcome, ValidationRequest } from './validation-types.js';
import { backoffDelay } from '../../shared/backoff.js';

const MAX_RETRY_DELAY_MS = 5 * 60_000;

export interface ValidationJob {
  readonly challengeId: string;
  readonly request: ValidationRequest;
}

interface Attempt {
  readonly job: ValidationJob;
  readonly number: number;
  readonly done: (outcome: ValidationOutcome) => void;
}

export interface ValidationQueueOptions {
  readonly validate: (request: ValidationRequest) => Promise<ValidationOutcome>;
  /** Receives the final outcome of each job (after the last attempt or the first success). */
  readonly settle: (job: ValidationJob, outcome: ValidationOutcome) => Promise<void>;
  /** Validations running at once. */
  readonly concurrency: number;
  /** Jobs waiting beyond the running ones; enqueue refuses more. */
  readonly maxQueued: number;
  /** Attempts per job (≥ 1); a failed attempt is retried after retryDelayMs, doubling with each attempt. */
  readonly attempts: number;
  readonly retryDelayMs: number;
  /** Pebble-style hardening knob: wait this long before the first attempt (0 = off). */
  readonly startDelayMs: number;
  readonly onError?: (error: unknown, job: ValidationJob) => void;
}

/**
 * A bounded background queue of validations: at most `concurrency` run, at most `maxQueued`
 * wait, each gets a few attempts. Nothing here touches the network itself.
 */
export class ValidationQueue {
  private readonly waiting: Attempt[] = [];
  private running = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  private stopped = false;
  /** Jobs accepted and not yet settled (waiting, running or sleeping between attempts). */
  private inFlight = 0;

  constructor(private readonly options: ValidationQueueOptions) {}

  /** Capacity left for new jobs; the handler checks this before accepting a challenge response. */
  hasRoom(): boolean {
    return !this.stopped && this.waiting.length < this.options.maxQueued;
  }

  /** Accepts a job; the promise resolves with its final outcome once recorded. Undefined when full. */
  enqueue(job: ValidationJob): Promise<ValidationOutcome> | undefined {
    if (!this.hasRoom()) return undefined;
    this.inFlight += 1;
    return new Promise((done) => this.later(this.options.startDelayMs, () => this.push({ job, number: 1, done })));
  }

  /** Resolves when every accepted job has settled. */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiting.length = 0;
  }

  private push(attempt: Attempt): void {
    if (this.stopped) return;
    this.waiting.push(attempt);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const attempt = this.waiting.shift()!;
      this.running += 1;
      void this.run(attempt).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async run(attempt: Attempt): Promise<void> {
    const { job } = attempt;
    let outcome: ValidationOutcome;
    try {
      outcome = await this.options.validate(job.request);
    } catch (error) {
      this.options.onError?.(error, job);
      outcome = { valid: false, problem: new AcmeProblem('serverInternal', 'the validation failed unexpectedly; see the server log') };
    }
    if (!outcome.valid && attempt.number < this.options.attempts && !this.stopped) {
      this.later(backoffDelay(attempt.number, { initialMs: this.options.retryDelayMs, maxMs: MAX_RETRY_DELAY_MS }), () => this.push({ ...attempt, number: attempt.number + 1 }));
      return;
    }
    try {
      await this.options.settle(job, outcome);
    } catch (error) {
      this.options.onError?.(error, job);
    } finally {
      attempt.done(outcome);
      this.done();
    }
  }

  private later(ms: number, action: () => void): void {
    if (ms <= 0) return action();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private done(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
