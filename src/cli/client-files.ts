import { chmod, rm } from 'node:fs/promises';
import { writeNewFile } from '../keystore/key-file.js';

/** Writes the certificate (0600) and the key (0400), replacing earlier files of the same names. */
export async function writeCredentials(files: { certificatePath: string; certificatePem: string; keyPath: string; privateKeyPem: string }): Promise<void> {
  await replaceFile(files.keyPath, files.privateKeyPem, 0o400);
  await replaceFile(files.certificatePath, files.certificatePem, 0o600);
}

/** A fresh file created with its final mode, so the content is never readable by others. */
async function replaceFile(path: string, content: string, mode: number): Promise<void> {
  await rm(path, { force: true });
  await writeNewFile(path, content, mode);
  await chmod(path, mode); // the umask may have narrowed the mode given at creation
}
