import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';

/** The lock file of a data directory (a small SQLite database: see DataDirectoryLock). */
export const LOCK_FILE = 'serve.lock';

/** Who holds a data directory: what the refused second process prints. */
export interface LockHolder {
  /** The command holding it: serve, init. */
  readonly command: string;
  readonly pid: number;
  readonly host: string;
  readonly since: Date;
  /** serve's --listen, as configured. */
  readonly listen?: string;
}

/** Another process holds the data directory. */
export class DataDirectoryInUseError extends Error {
  override readonly name = 'DataDirectoryInUseError';

  constructor(
    readonly dataDir: string,
    /** Undefined when the holder had not yet written who it is. */
    readonly holder: LockHolder | undefined,
  ) {
    super(`the data directory ${dataDir} is in use by ${describeHolder(holder)}; stop it first, or give this one another --data-dir`);
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'another smsgate-ca process';
  const listen = holder.listen ? `, listening on ${holder.listen}` : '';
  return `another smsgate-ca ${holder.command} (PID ${holder.pid} on ${holder.host}, running since ${holder.since.toISOString()}${listen})`;
}

interface HolderRow {
  command: string;
  pid: number;
  host: string;
  since: number;
  listen: string | null;
  token: string;
}

/**
 * One process at a time per data directory, with a lock the kernel releases when the process dies.
 *
 * Node has no flock(). A PID file with a liveness check is wrong exactly when it matters: after
 * `kill -9` a container restarts as PID 1 again, PIDs are reused, and a PID says nothing across
 * PID namespaces or hosts sharing a volume. So the lock is SQLite's own file lock, a POSIX
 * advisory lock (fcntl) on `DIR/serve.lock`, which the kernel drops with the process however it
 * ends and which also holds between processes in different containers on one volume:
 *
 * 1. `BEGIN EXCLUSIVE` succeeds only while no other process holds any lock on the file; it fails
 *    at once (no busy wait) when a holder is there, and the holder's row is read to name it.
 * 2. The winner writes its row (command, PID, host, start time, --listen, a random token) and
 *    commits, then opens a read transaction it never ends: that SHARED lock is held for the
 *    process's lifetime. It still lets a refused process read the row, but makes every
 *    `BEGIN EXCLUSIVE` fail.
 * 3. Between the commit and the read transaction another process could slip in and write its own
 *    row; so the winner reads the row back inside its read transaction, and only its own token
 *    means it holds the lock.
 *
 * The lock is advisory: only smsgate-ca processes that take it respect it. Never open the lock
 * file with `fs` in a process that holds it: closing any descriptor of a file drops that
 * process's POSIX locks on it (SQLite keeps its own descriptors open while a lock is held, and
 * tracks the locks of several connections of one process, so a second acquire in the same process
 * is refused like one from another process).
 */
export class DataDirectoryLock {
  private constructor(
    private readonly db: Database,
    readonly holder: LockHolder,
  ) {}

  /** Takes the lock or throws DataDirectoryInUseError naming the holder; creates the directory if needed. */
  static acquire(dataDir: string, who: { readonly command: string; readonly listen?: string }): DataDirectoryLock {
    const path = join(dataDir, LOCK_FILE);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // SQLite creates the file: an fs open and close here would drop a lock this process already holds.
    const db = new BetterSqlite3(path, { timeout: 0 });
    try {
      return DataDirectoryLock.take(db, dataDir, who);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private static take(db: Database, dataDir: string, who: { readonly command: string; readonly listen?: string }): DataDirectoryLock {
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      if (!isBusy(error)) throw error;
      throw new DataDirectoryInUseError(dataDir, readHolder(db));
    }
    const token = randomBytes(16).toString('hex');
    const holder: LockHolder = { command: who.command, pid: process.pid, host: hostname(), since: new Date(), ...(who.listen ? { listen: who.listen } : {}) };
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), command TEXT, pid INTEGER, host TEXT, since INTEGER, listen TEXT, token TEXT)');
    db.prepare('INSERT OR REPLACE INTO holder (id, command, pid, host, since, listen, token) VALUES (1, ?, ?, ?, ?, ?, ?)').run(
      holder.command,
      holder.pid,
      holder.host,
      holder.since.getTime(),
      holder.listen ?? null,
      token,
    );
    db.exec('COMMIT');
    db.exec('BEGIN');
    const row = db.prepare('SELECT * FROM holder WHERE id = 1').get() as HolderRow | undefined;
    if (row?.token !== token) throw new DataDirectoryInUseError(dataDir, row ? holderOf(row) : undefined);
    return new DataDirectoryLock(db, holder);
  }

  /** Ends the read transaction and closes the file: the lock is free for the next process. */
  release(): void {
    if (this.db.open) this.db.close();
  }
}

/** The holder's row; it may be mid-write for a moment, so this read waits briefly. */
function readHolder(db: Database): LockHolder | undefined {
  db.pragma('busy_timeout = 1000');
  try {
    const row = db.prepare('SELECT * FROM holder WHERE id = 1').get() as HolderRow | undefined;
    return row ? holderOf(row) : undefined;
  } catch {
    // No row yet (the first holder has not committed it) or still busy: the message says less.
    return undefined;
  }
}

function holderOf(row: HolderRow): LockHolder {
  return { command: row.command, pid: row.pid, host: row.host, since: new Date(row.since), ...(row.listen ? { listen: row.listen } : {}) };
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
