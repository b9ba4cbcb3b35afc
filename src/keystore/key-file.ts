import { open, readFile, stat } from 'node:fs/promises';
import { CaError } from '../ca/errors.js';

/** Bits that let anyone but the owner touch a private key file. */
const NOT_OWNER_ONLY = 0o077;

/** Reads a private key file, refusing one that group or others could read or write. */
export async function readPrivateKeyFile(path: string): Promise<string> {
  const info = await stat(path);
  if ((info.mode & NOT_OWNER_ONLY) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(3, '0');
    throw new CaError(
      'key_file_insecure',
      `private key ${path} has mode ${mode}; it must be readable by its owner only (chmod 600 ${path})`,
      path,
    );
  }
  return readFile(path, 'utf8');
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
