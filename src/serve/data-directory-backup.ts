import { createWriteStream } from 'node:fs';
import { access, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack, type Pack } from 'tar-stream';
import { caPaths } from '../keystore/ca-directory.js';
import { DATABASE_FILE } from '../store/sqlite/database-file.js';
import { snapshotDatabase } from '../store/sqlite/database-snapshot.js';

/** What a backup holds, for the command's summary. */
export interface BackupSummary {
  readonly out: string;
  readonly files: readonly string[];
  readonly bytes: number;
}

/**
 * Writes a gzip-compressed tar of the data directory that can be unpacked as a data directory
 * again (`tar -xzf FILE -C DIR`): a consistent snapshot of the database (snapshotDatabase) and
 * the files of `ca/`, with their modes. It runs beside a serving process and takes no lock.
 *
 * The database is copied first and the CA after it: the CA's files are only ever added to, so
 * the copied CA holds every certificate the copied database refers to. The archive holds the
 * CA's private keys: it is written with mode 0600, under a temporary name renamed into place
 * only once complete, so FILE is never a partial backup.
 */
export async function backupDataDirectory(dataDir: string, out: string): Promise<BackupSummary> {
  const database = join(dataDir, DATABASE_FILE);
  await access(database).catch(() => {
    throw new Error(`no database in ${dataDir} (${database} is missing): give --data-dir the directory serve uses`);
  });
  const scratch = await mkdtemp(join(dirname(out), '.smsgate-ca-backup-'));
  const partial = join(scratch, 'backup.tar.gz');
  try {
    const snapshot = join(scratch, DATABASE_FILE);
    snapshotDatabase(database, snapshot);
    const entries = [{ name: DATABASE_FILE, path: snapshot }, ...(await filesUnder(caPaths(dataDir).dir, dataDir))];
    await writeArchive(partial, entries);
    await rename(partial, out);
    return { out, files: entries.map((entry) => entry.name), bytes: (await stat(out)).size };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface ArchiveEntry {
  /** The path inside the archive (relative to the data directory). */
  readonly name: string;
  readonly path: string;
}

async function filesUnder(dir: string, root: string): Promise<ArchiveEntry[]> {
  const found: ArchiveEntry[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path, root)));
    else if (entry.isFile()) found.push({ name: relative(root, path), path });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

async function writeArchive(file: string, entries: readonly ArchiveEntry[]): Promise<void> {
  const archive = pack();
  const written = pipeline(archive, createGzip(), createWriteStream(file, { mode: 0o600, flush: true }));
  // The directories first, so an unpacked ca/ is private like the one `init` makes.
  for (const name of new Set(entries.map((entry) => dirname(entry.name)).filter((name) => name !== '.'))) archive.entry({ name, type: 'directory', mode: 0o700 });
  for (const entry of entries) await addFile(archive, entry);
  archive.finalize();
  await written;
}

async function addFile(archive: Pack, entry: ArchiveEntry): Promise<void> {
  const [content, info] = await Promise.all([readFile(entry.path), stat(entry.path)]);
  await new Promise<void>((resolve, reject) => {
    const header = { name: entry.name, mode: info.mode & 0o777, mtime: info.mtime, uid: info.uid, gid: info.gid, size: content.length };
    archive.entry(header, content, (error) => (error ? reject(error) : resolve()));
  });
}
