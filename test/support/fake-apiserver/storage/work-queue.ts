/**
 * The double's controllers react to store events asynchronously, as real controllers do: work is
 * keyed (a burst of events for one object runs once) and drained on setImmediate, never inside a
 * store write.
 */
export class WorkQueue {
  private pending = new Map<string, () => void>();
  private scheduled = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly onError: (key: string, error: unknown) => void) {}

  enqueue(key: string, task: () => void): void {
    this.pending.set(key, task);
    this.schedule();
  }

  /** Resolves once no work is pending (controllers have caught up with every write so far). */
  idle(): Promise<void> {
    if (this.pending.size === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    for (const [key, task] of batch) {
      try {
        task();
      } catch (error) {
        this.onError(key, error);
      }
    }
    if (this.pending.size > 0) {
      this.schedule();
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
