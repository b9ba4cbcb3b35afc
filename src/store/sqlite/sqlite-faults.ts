import { StoreUnavailableError, type StoreFaultKind } from '../store-errors.js';

/**
 * SQLite's result codes (https://sqlite.org/rescode.html) that mean the storage failed rather than
 * the statement: better-sqlite3 reports them as `code` (SQLITE_FULL, SQLITE_IOERR_WRITE…). A
 * constraint violation or a misuse is not among them: those stay the programming errors they are.
 */
const KIND_OF_PRIMARY_CODE: Readonly<Record<string, StoreFaultKind>> = {
  SQLITE_FULL: 'full',
  SQLITE_IOERR: 'io',
  SQLITE_READONLY: 'io',
  SQLITE_CANTOPEN: 'io',
  SQLITE_PROTOCOL: 'io',
  SQLITE_NOLFS: 'io',
  SQLITE_BUSY: 'busy',
  SQLITE_LOCKED: 'busy',
  SQLITE_CORRUPT: 'damaged',
  SQLITE_NOTADB: 'damaged',
};

/** The storage fault behind a SQLite error, as a StoreUnavailableError; undefined for any other error. */
export function storeFaultOf(error: unknown): StoreUnavailableError | undefined {
  if (error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  // Extended codes name their primary code first: SQLITE_IOERR_FSYNC → SQLITE_IOERR.
  const primary = code.split('_').slice(0, 2).join('_');
  const kind = KIND_OF_PRIMARY_CODE[primary];
  return kind ? new StoreUnavailableError(kind, code, { cause: error }) : undefined;
}

/** Rethrows a storage fault as StoreUnavailableError, anything else as it is. */
export function asStoreFault(error: unknown): unknown {
  return storeFaultOf(error) ?? error;
}
