import { join } from 'node:path';
import type { Clock } from '../ca/index.js';
import type { ServeConfig } from '../config/serve-config.js';
import { DataDirectoryLock } from '../store/sqlite/data-directory-lock.js';
import { DATABASE_FILE } from '../store/sqlite/database-file.js';
import { SqliteStore, type SqliteStoreEvent } from '../store/sqlite/sqlite-store.js';
import type { Logger } from '../telemetry/logger.js';
import { explainUnwritableDataDir } from './data-directory-ca.js';

/** The data directory one `serve` owns: locked against a second process, its database checked and open. */
export interface OpenDataDirectory {
  readonly store: SqliteStore;
  /** Closes the store, then frees the directory for the next process. */
  close(): void;
}

/**
 * Takes the directory's lock (a second `serve` on it is refused, naming the first), then opens the
 * database after its integrity check (a damaged file is refused with the way to restore it).
 * Runs before the CA is opened, so two first starts cannot create two CAs.
 */
export async function openDataDirectory(config: ServeConfig, parts: { readonly clock: Clock; readonly logger: Logger }): Promise<OpenDataDirectory> {
  const lock = await lockDataDirectory(config);
  try {
    const store = SqliteStore.open(join(config.dataDir, DATABASE_FILE), {
      integrityCheck: config.integrityCheck,
      now: () => parts.clock.now(),
      onEvent: (event) => logStoreEvent(parts.logger, event),
    });
    return {
      store,
      close: () => {
        store.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function lockDataDirectory(config: ServeConfig): Promise<DataDirectoryLock> {
  try {
    return DataDirectoryLock.acquire(config.dataDir, { command: 'serve', listen: `${config.listen.host}:${config.listen.port}` });
  } catch (error) {
    throw await explainUnwritableDataDir(error, config.dataDir, 'use the data directory');
  }
}

function logStoreEvent(logger: Logger, event: SqliteStoreEvent): void {
  if (event.kind === 'failing') logger.error({ fault: event.fault.kind, code: event.fault.code }, `database writes fail: ${event.fault.message}; answering 503 until they work again`);
  else if (event.kind === 'recovered') logger.warn({ failedForMs: event.failedForMs }, 'database writes work again');
  else logger.warn({ err: event.error }, 'WAL checkpoint failed; it is tried again after the next writes');
}
