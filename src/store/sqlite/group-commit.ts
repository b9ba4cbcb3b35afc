import type { Database } from 'better-sqlite3';

interface QueuedWrite {
  readonly write: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit: writes requested during one event-loop turn run in a single transaction, so one
 * fsync (synchronous=FULL) acknowledges all of them. Each write runs in its own savepoint, so a
 * failing write rolls back alone and rejects only its own promise. A caller's promise resolves only
 * after the commit returned, i.e. after the data is on disk.
 */
export class GroupCommit {
  private queue: QueuedWrite[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Database,
    private readonly maxBatch = 256,
  ) {}

  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now (also used before closing). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const outcomes = this.commit(batch);
      batch.forEach((item, index) => {
        const outcome = outcomes[index]!;
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    }
  }

  private commit(batch: readonly QueuedWrite[]): Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
    try {
      return this.db
        .transaction(() =>
          batch.map((item) => {
            try {
              // A nested better-sqlite3 transaction is a savepoint.
              return { ok: true as const, value: this.db.transaction(item.write)() };
            } catch (error) {
              return { ok: false as const, error };
            }
          }),
        )
        .immediate();
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch is durable.
      return batch.map(() => ({ ok: false as const, error }));
    }
  }
}
