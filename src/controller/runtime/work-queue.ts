import { backoffDelay, type BackoffPolicy } from '../../shared/backoff.js';

/** client-go's default controller backoff, capped at five minutes instead of sixteen. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5 * 60_000 };

export type KeyHandler = (key: string) => Promise<void>;

export interface WorkQueueOptions {
  /** Keys handled at once (never two for the same key). Default 8. */
  readonly concurrency?: number;
  readonly backoff?: BackoffPolicy;
}

/** setTimeout's limit; longer delays are re-armed when they fire. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A keyed work queue in the manner of client-go's: a key queued many times is handled once; a key
 * is never handled by two workers at once (added while in flight, it runs again afterwards);
 * delayed adds keep only the earliest deadline; failures back off exponentially per key until
 * `forget`.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Added again while processing: requeued when the worker finishes. */
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly idleWaiters: Array<() => void> = [];
  private handler: KeyHandler | undefined;
  private stopped = false;

  constructor(private readonly options: WorkQueueOptions = {}) {}

  /** Starts handing keys to `handler`. */
  start(handler: KeyHandler): void {
    this.handler = handler;
    this.stopped = false;
    this.pump();
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Adds `key` after `delayMs`, unless an earlier delayed add for it is already pending. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (at - Date.now() > 0) this.addAfter(key, at - Date.now());
      else this.add(key);
    }, Math.min(delayMs, MAX_TIMER_MS));
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Adds `key` after its next backoff delay; returns the delay. */
  addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = backoffDelay(failures, this.options.backoff ?? DEFAULT_BACKOFF);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the failure count of `key` (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Drops a pending delayed add (e.g. the object was deleted). */
  cancelDelayed(key: string): void {
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing.timer);
    this.timers.delete(key);
  }

  get length(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  get delayed(): number {
    return this.timers.size;
  }

  /** Resolves when nothing is queued or in flight (delayed adds do not count). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops handing out keys, drops timers and queued keys; resolves when in-flight keys finish. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    this.dirty.clear();
    await this.idle();
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler || this.stopped) return;
    while (this.processing.size < (this.options.concurrency ?? 8) && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      void handler(key)
        .catch(() => undefined)
        .finally(() => this.done(key));
    }
  }

  private done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
    if (this.queue.length === 0 && this.processing.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
