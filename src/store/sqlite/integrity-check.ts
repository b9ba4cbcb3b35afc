import type { Database } from 'better-sqlite3';

/** How the database is checked when it is opened: `quick_check`, the full `integrity_check` (also index contents), or not at all. */
export const INTEGRITY_CHECKS = ['quick', 'full', 'off'] as const;
export type IntegrityCheck = (typeof INTEGRITY_CHECKS)[number];

/** Findings reported at most (the pragma's own bound: it stops looking after that many). */
const MAX_FINDINGS = 5;

/** The section of the README that says how to restore a data directory. */
export const RESTORE_HINT =
  'restore the data directory from a backup (stop smsgate-ca, replace the directory with the one `smsgate-ca backup` wrote, start it again; README: "Backup and restore")';

/** The database file is corrupt: nothing was written to it, and it must be restored from a backup. */
export class DatabaseDamagedError extends Error {
  override readonly name = 'DatabaseDamagedError';

  constructor(
    readonly file: string,
    readonly findings: readonly string[],
  ) {
    const more = findings.length > 1 ? `, and ${findings.length - 1} more finding${findings.length > 2 ? 's' : ''}` : '';
    super(`the database ${file} is damaged (${findings[0] ?? 'unreadable'}${more}); it was left as it is: ${RESTORE_HINT}`);
  }
}

/**
 * SQLite's own consistency check of every page (`quick_check` is O(N) in the file's size and skips
 * only the comparison of index entries with their rows, which `integrity_check` adds). Throws
 * DatabaseDamagedError naming the file and the first findings.
 */
export function checkIntegrity(db: Database, file: string, mode: IntegrityCheck): void {
  if (mode === 'off') return;
  const pragma = mode === 'full' ? 'integrity_check' : 'quick_check';
  const findings = db.pragma(`${pragma}(${MAX_FINDINGS})`, { simple: false }) as Array<Record<string, string>>;
  const messages = findings.map((row) => Object.values(row)[0] ?? '').filter((message) => message !== 'ok');
  if (messages.length > 0) throw new DatabaseDamagedError(file, messages);
}
