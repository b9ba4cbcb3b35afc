import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { applyWalPolicy, WAL_POLICY, type WalPolicy } from './wal-checkpointer.js';

/**
 * Opens (creating when absent) the SQLite file with the settings durability depends on.
 *
 * WAL lets readers (status polls) run beside the writer. synchronous=FULL makes every commit fsync
 * the WAL before it returns, so a request acknowledged with 202 survives not only `kill -9` (which
 * NORMAL would already survive: the WAL write reached the OS) but also a power cut or kernel crash,
 * which NORMAL may roll back. An fsync per commit costs little next to a signature, and the
 * signing worker commits whole batches at once. The WAL is kept small (wal-checkpointer.ts).
 */
export function openDatabase(path: string, wal: WalPolicy = WAL_POLICY): Database {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
  }
  const db = new BetterSqlite3(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    applyWalPolicy(db, wal);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
