import type { Database } from 'better-sqlite3';

/**
 * How the write-ahead log is kept small. SQLite's defaults checkpoint every 1000 pages (4 MiB) and
 * never shrink the file, so a data directory carries a 4 MiB WAL for good. Here a commit that finds
 * the WAL past `autocheckpointPages` copies it into the database (PASSIVE, never waiting for
 * readers), the file is cut back to `journalSizeLimitBytes` when it is reused, and once writes have
 * been quiet for `idleCheckpointMs` the WAL is checkpointed and truncated to zero bytes.
 */
export interface WalPolicy {
  readonly autocheckpointPages: number;
  /** -1: no limit (SQLite's default). */
  readonly journalSizeLimitBytes: number;
  /** 0: never checkpoint when idle. */
  readonly idleCheckpointMs: number;
}

export const WAL_POLICY: WalPolicy = { autocheckpointPages: 256, journalSizeLimitBytes: 1024 * 1024, idleCheckpointMs: 30_000 };

export function applyWalPolicy(db: Database, policy: WalPolicy): void {
  db.pragma(`wal_autocheckpoint = ${policy.autocheckpointPages}`);
  db.pragma(`journal_size_limit = ${policy.journalSizeLimitBytes}`);
}

export interface CheckpointResult {
  /** 1 when a reader kept the checkpoint from finishing (it is tried again later). */
  readonly busy: number;
  /** WAL frames before the checkpoint, and how many were copied into the database. */
  readonly log: number;
  readonly checkpointed: number;
}

/** The idle checkpoint: armed by every commit, it fires once writes have been quiet long enough. */
export class WalCheckpointer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly idleMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A commit happened: (re)start the quiet period. */
  wrote(): void {
    if (this.idleMs <= 0) return;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => this.checkpointWhenIdle(), this.idleMs);
    this.timer.unref();
  }

  /**
   * Copies the whole WAL into the database and truncates it to zero bytes. It never waits: with a
   * reader in the way (a backup, a status poll in another process) it reports busy and the WAL
   * stays as it is, to be tried again after the next quiet period.
   */
  checkpoint(): CheckpointResult {
    const busyTimeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      return (this.db.pragma('wal_checkpoint(TRUNCATE)') as CheckpointResult[])[0]!;
    } finally {
      this.db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private checkpointWhenIdle(): void {
    try {
      if (this.checkpoint().busy) this.timer?.refresh();
    } catch (error) {
      this.onError(error);
    }
  }
}
