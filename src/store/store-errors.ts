/**
 * Why a store could not do its job, when the request itself is not at fault:
 * - full: the disk holding the database has no space left;
 * - io: the file could not be read or written (an I/O error, a file system gone read-only);
 * - busy: another process held the database's write lock too long;
 * - damaged: the database file is corrupt (restore it from a backup);
 * - unreachable: the Kubernetes API server did not answer, or answered that it is overloaded.
 */
export type StoreFaultKind = 'full' | 'io' | 'busy' | 'damaged' | 'unreachable';

const DESCRIPTION_OF_KIND = {
  full: 'the disk holding the database is full',
  io: 'the database could not be read or written (I/O error)',
  busy: 'the database is busy',
  damaged: 'the database file is damaged',
  unreachable: 'the Kubernetes API server is unreachable',
} as const satisfies Record<StoreFaultKind, string>;

/**
 * The store is unavailable for a while: nothing was written for this request, and the same request
 * may succeed later. Each door answers it as a passing server fault (REST 503 with Retry-After, an
 * ACME serverInternal problem with 503, a retried reconcile) — never as the requester's fault, and
 * never with a success it could not keep.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(
    readonly kind: StoreFaultKind,
    /** The underlying code (SQLITE_FULL, ECONNREFUSED, 503…), for the log and readiness detail. */
    readonly code: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`${DESCRIPTION_OF_KIND[kind]} (${code})`, options);
  }

  /** Kinds that say the storage itself is failing (readiness reports them until a write succeeds). */
  get storageFailing(): boolean {
    return this.kind === 'full' || this.kind === 'io' || this.kind === 'damaged';
  }
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
