import { abortableSleep } from './abortable-sleep.js';

/** cert-manager's defaults for its own API client (`--kube-api-qps`, `--kube-api-burst`). */
export { DEFAULT_KUBE_API_BURST, DEFAULT_KUBE_API_QPS } from '../shared/rate-limit.js';

export interface TokenBucketOptions {
  /** Tokens added per second: the sustained request rate. */
  readonly qps: number;
  /** Bucket size: how many requests may go at once after a quiet spell. */
  readonly burst: number;
  /** Milliseconds, monotonic enough; injectable for tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** What the limiter did so far (for logs and metrics). */
export interface ThrottleStats {
  /** Requests that had to wait for a token. */
  throttled: number;
  /** Total time they waited, in milliseconds. */
  waitedMs: number;
}

const NEVER = new AbortController().signal;

/**
 * Client-side rate limiting as client-go does it (flowcontrol's token bucket, golang.org/x/time/rate
 * underneath): the bucket starts full with `burst` tokens and refills at `qps` per second; each
 * request takes one token, and when none is left it reserves the next one and waits for it, so
 * callers go in arrival order at no more than `qps` on average.
 */
export class TokenBucket {
  readonly stats: ThrottleStats = { throttled: 0, waitedMs: 0 };
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.qps > 0) || !Number.isFinite(options.qps)) throw new RangeError(`qps must be a positive number, not ${options.qps}`);
    if (!Number.isInteger(options.burst) || options.burst < 1) throw new RangeError(`burst must be a whole number of at least 1, not ${options.burst}`);
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms, signal) => abortableSleep(ms, signal ?? NEVER));
    this.tokens = options.burst;
    this.updatedAt = this.now();
  }

  /** Takes a token, waiting for it if the bucket is empty; an abort while waiting hands it back. Returns the wait in ms. */
  async take(signal?: AbortSignal): Promise<number> {
    this.refill();
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    const waitMs = (-this.tokens * 1000) / this.options.qps;
    this.stats.throttled += 1;
    this.stats.waitedMs += waitMs;
    await this.sleep(waitMs, signal);
    if (signal?.aborted) this.tokens += 1;
    return waitMs;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.updatedAt) * this.options.qps) / 1000);
    this.updatedAt = now;
  }
}
