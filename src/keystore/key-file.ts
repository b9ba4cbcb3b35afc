import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Stats } from 'node:fs';
import { CaError } from '../ca/index.js';

const OTHERS = 0o007;
const GROUP = 0o070;
const GROUP_READ = 0o040;

/**
 * Reads a private key file, refusing one that others can touch, or that its group can touch
 * unless root owns it. The root-owned, group-readable case (0640/0440, the rule PostgreSQL
 * applies to its key) is how Kubernetes mounts a Secret for a non-root pod with an fsGroup, and
 * how a system `ssl-cert` group is granted a key: a deliberate grant, not an accident.
 */
export async function readPrivateKeyFile(path: string): Promise<string> {
  const info = await stat(path);
  const problem = keyFileProblem(info);
  if (problem) {
    const mode = (info.mode & 0o777).toString(8).padStart(3, '0');
    throw new CaError('key_file_insecure', `private key ${path} has mode ${mode} and ${problem} (chmod 600 ${path})`, path);
  }
  return readFile(path, 'utf8');
}

function keyFileProblem(info: Pick<Stats, 'mode' | 'uid'>): string | undefined {
  if ((info.mode & OTHERS) !== 0) return 'is open to others; it must be readable by its owner only';
  const group = info.mode & GROUP;
  if (group === 0) return undefined;
  if (info.uid === 0 && group === GROUP_READ) return undefined;
  return info.uid === 0
    ? 'its group may do more than read it'
    : 'is open to its group; it must be readable by its owner only (or owned by root and at most group-readable)';
}

/** Creates a file that must not exist yet; `mode` applies from the first byte on. */
export async function writeNewFile(path: string, content: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces a file atomically: the content goes to a new file beside it (synced), which is then
 * renamed over it, and the directory is synced, so a reader or a crash sees the old file or the
 * new one, whole.
 */
export async function replaceFile(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeNewFile(temporary, content, mode);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
