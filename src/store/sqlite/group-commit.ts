import type { Database } from 'better-sqlite3';
import { asStoreFault, storeFaultOf } from './sqlite-faults.js';
import { WriteHealth } from './write-health.js';

export interface GroupCommitOptions {
  /** Writes per transaction at most. */
  readonly maxBatch?: number;
  /** Told of every storage fault and every successful commit. */
  readonly health?: WriteHealth;
  /** Called after every successful commit (the WAL checkpointer listens). */
  readonly onCommit?: () => void;
}

interface QueuedWrite {
  readonly write: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit: writes requested during one event-loop turn run in a single transaction, so one
 * fsync (synchronous=FULL) acknowledges all of them. Each write runs in its own savepoint, so a
 * failing write rolls back alone and rejects only its own promise. A caller's promise resolves only
 * after the commit returned, i.e. after the data is on disk. A storage fault (disk full, I/O error)
 * rejects as StoreUnavailableError and is reported to the write health; a commit that succeeds
 * reports recovery. Once the database is known damaged, writes are refused without touching it.
 */
export class GroupCommit {
  private queue: QueuedWrite[] = [];
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly health: WriteHealth;
  private readonly onCommit: () => void;

  constructor(
    private readonly db: Database,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.health = options.health ?? new WriteHealth();
    this.onCommit = options.onCommit ?? (() => {});
  }

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
      const refusal = this.health.refusing;
      const outcomes = refusal ? batch.map(() => ({ ok: false as const, error: refusal })) : this.commit(batch);
      batch.forEach((item, index) => {
        const outcome = outcomes[index]!;
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    }
  }

  private commit(batch: readonly QueuedWrite[]): Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
    try {
      const outcomes = this.writeBatch(batch);
      this.health.committed();
      this.onCommit();
      return outcomes;
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch is durable.
      const fault = this.noted(error);
      return batch.map(() => ({ ok: false as const, error: fault }));
    }
  }

  private writeBatch(batch: readonly QueuedWrite[]): Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
    return this.db
      .transaction(() =>
        batch.map((item) => {
          try {
            // A nested better-sqlite3 transaction is a savepoint.
            return { ok: true as const, value: this.db.transaction(item.write)() };
          } catch (error) {
            // After SQLITE_FULL or an I/O error SQLite may have rolled the whole transaction back
            // (sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction"): the
            // batch fails as a whole, so no write is acknowledged that was not committed.
            if (storeFaultOf(error)) throw error;
            return { ok: false as const, error };
          }
        }),
      )
      .immediate();
  }

  /** The error as the caller sees it; a storage fault is also reported to the write health. */
  private noted(error: unknown): unknown {
    const fault = storeFaultOf(error);
    if (fault) this.health.failed(fault);
    return asStoreFault(error);
  }
}
