import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Clock, KeyAlgorithm } from '../ca/index.js';
import { caDirectoryExists, caPaths, initCaDirectory, loadCaDirectory, rotateCaDirectory } from '../keystore/ca-directory.js';
import type { Logger } from '../telemetry/logger.js';
import type { OpenedCa } from './cluster-parts.js';
import type { CaKeystore } from './ca-upkeep.js';
import type { CaPlan } from './topology.js';

export interface DataDirectoryCaParts {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly clock: Clock;
  readonly logger: Logger;
  /** --ca-bootstrap: create a CA even over a ledger that holds certificates. */
  readonly bootstrap: boolean;
  /** How many certificates the data directory's ledger holds. */
  readonly ledgerCertificates: () => Promise<number>;
}

/**
 * The CA in DIR/ca/, created there on a true first start only: a ledger that holds certificates
 * means a CA existed, and a new root would silently break every client that trusts the old one.
 */
export async function openDataDirectoryCa(dataDir: string, plan: CaPlan, parts: DataDirectoryCaParts): Promise<OpenedCa> {
  const { keyAlgorithm, clock, logger } = parts;
  const keystore = dataDirectoryKeystore(dataDir, plan, clock);
  if (!(await caDirectoryExists(dataDir))) {
    const issued = await parts.ledgerCertificates();
    if (issued > 0 && !parts.bootstrap) throw new Error(lostCaMessage(dataDir, issued));
    await initCaDirectory(dataDir, { keyAlgorithm, allowedRanges: plan.newCaRanges, clock }).catch(async (error: unknown) => {
      throw await explainUnwritableDataDir(error, dataDir);
    });
    if (issued > 0) logger.warn({ dataDir, keyAlgorithm, earlierCertificates: issued }, 'created a new CA over a ledger of earlier certificates (--ca-bootstrap): clients must trust the new root');
    else logger.info({ dataDir, keyAlgorithm }, 'created a new CA (first start)');
  }
  return { keystore, loaded: await loadCaDirectory(dataDir, { allowedRanges: plan.allowedRanges, clock }) };
}

function lostCaMessage(dataDir: string, issued: number): string {
  const paths = caPaths(dataDir);
  return [
    `${paths.intermediateCertificate} is missing, but the ledger in ${dataDir} holds ${issued} certificates: the CA that signed them is gone.`,
    `Restore ${paths.dir}/ from a backup (root.crt, intermediate.crt, intermediate.key, and intermediates/ if present),`,
    'or start once with --ca-bootstrap to create a new root (every client must then trust the new root).',
  ].join(' ');
}

/** The data directory as the upkeep reads and rolls it over. */
export function dataDirectoryKeystore(dataDir: string, plan: Pick<CaPlan, 'allowedRanges'>, clock: Clock): CaKeystore {
  return {
    where: caPaths(dataDir).dir,
    load: async () => ((await caDirectoryExists(dataDir)) ? loadCaDirectory(dataDir, { allowedRanges: plan.allowedRanges, clock }) : undefined),
    rotate: async (rootKey, expectedActive) => {
      const current = await loadCaDirectory(dataDir, { clock });
      if (current.material.keyIdentifier !== expectedActive) return false;
      await rotateCaDirectory(dataDir, { rootKey, clock });
      return true;
    },
  };
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
