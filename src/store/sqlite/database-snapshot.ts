import { closeSync, openSync, rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { checkIntegrity } from './integrity-check.js';

/**
 * A consistent copy of the database at `source` in a new file `destination`, while a server may be
 * writing to it. `VACUUM INTO` reads the whole database in one read transaction, so the copy is
 * the state of one commit; in WAL mode it does not block the server's writes, which go on into
 * the WAL meanwhile. The copy is compact (no free pages), has no WAL of its own, and is checked
 * with quick_check before it is kept: a damaged database is refused (DatabaseDamagedError), never
 * backed up as if it were good. The source is never written to.
 */
export function snapshotDatabase(source: string, destination: string): void {
  const db = new BetterSqlite3(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    checkIntegrity(db, source, 'quick');
    // VACUUM INTO takes an empty file as it is: the copy is private from the start, like the database.
    closeSync(openSync(destination, 'wx', 0o600));
    db.prepare('VACUUM INTO ?').run(destination);
  } finally {
    db.close();
  }
  try {
    const copy = new BetterSqlite3(destination, { fileMustExist: true });
    try {
      checkIntegrity(copy, destination, 'quick');
    } finally {
      copy.close();
    }
  } catch (error) {
    rmSync(destination, { force: true });
    throw error;
  }
}
