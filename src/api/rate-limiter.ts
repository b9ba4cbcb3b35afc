import type { RateLimitDecision } from '../shared/rate-limit.js';

interface Window {
  readonly startedAt: number;
  count: number;
}

/**
 * At most `max` requests per client in a window of `periodMs` that opens with the client's first
 * request (the SMSGate CA's "1 POST per minute"). Windows live in memory; expired ones are swept.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(
    private readonly max: number,
    private readonly periodMs: number,
    private readonly maxClients = 100_000,
  ) {}

  take(client: string, now: number): RateLimitDecision {
    this.sweep(now);
    const window = this.windows.get(client);
    if (!window || now - window.startedAt >= this.periodMs) {
      this.windows.delete(client);
      this.windows.set(client, { startedAt: now, count: 1 });
      return { allowed: true };
    }
    if (window.count < this.max) {
      window.count++;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + this.periodMs - now) / 1000)) };
  }

  get size(): number {
    return this.windows.size;
  }

  /** Maps iterate in insertion order and a window is re-inserted when it restarts: oldest first. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.periodMs && this.windows.size < this.maxClients) return;
    this.lastSweep = now;
    for (const [client, window] of this.windows) {
      if (now - window.startedAt < this.periodMs && this.windows.size < this.maxClients) break;
      this.windows.delete(client);
    }
  }
}
