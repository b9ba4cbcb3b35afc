import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Clock, KeyAlgorithm } from '../ca/index.js';
import { caDirectoryExists, initCaDirectory, loadCaDirectory, type LoadedCa } from '../keystore/ca-directory.js';
import type { Logger } from '../telemetry/logger.js';
import type { CaPlan } from './topology.js';

/** The CA in DIR/ca/, created there on first start. */
export async function openDataDirectoryCa(dataDir: string, plan: CaPlan, parts: { keyAlgorithm: KeyAlgorithm; clock: Clock; logger: Logger }): Promise<LoadedCa> {
  const { keyAlgorithm, clock, logger } = parts;
  if (!(await caDirectoryExists(dataDir))) {
    await initCaDirectory(dataDir, { keyAlgorithm, allowedRanges: plan.newCaRanges, clock }).catch(async (error: unknown) => {
      throw await explainUnwritableDataDir(error, dataDir);
    });
    logger.info({ dataDir, keyAlgorithm }, 'created a new CA (first start)');
  }
  return loadCaDirectory(dataDir, { allowedRanges: plan.allowedRanges, clock });
}

/**
 * A data directory that cannot be written, said in words (a read-only mount is common in
 * containers). Node's recursive mkdir reports ENOENT there, so the nearest existing parent is asked.
 */
export async function explainUnwritableDataDir(error: unknown, dataDir: string, action = 'create the CA in'): Promise<unknown> {
  const code = (await writeProblemOf(dataDir)) ?? (error as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return new Error(`cannot ${action} ${dataDir}: it is on a read-only file system (EROFS); give --data-dir a writable directory (e.g. a mounted volume)`);
  if (code === 'EACCES' || code === 'EPERM') return new Error(`cannot ${action} ${dataDir}: permission denied (${code}); give --data-dir a directory this user may write`);
  return error;
}

/** EROFS, EACCES… for the nearest existing directory of `path`; undefined when it is writable. */
async function writeProblemOf(path: string): Promise<string | undefined> {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      await access(dir, constants.W_OK);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || dir === dirname(dir)) return code;
    }
  }
}
