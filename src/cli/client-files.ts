import { chmod, rm } from 'node:fs/promises';
import { writeNewFile } from '../keystore/key-file.js';
import { CommandFailure, EXIT_CODES } from './command.js';

/**
 * Writes the certificate (0600), then the key (0400), as the SMSGate CLI does; when the key cannot
 * be written the certificate is removed again. Earlier files of the same names are replaced.
 * Any failure is exit code 3.
 */
export async function writeCredentials(files: { certificatePath: string; certificatePem: string; keyPath: string; privateKeyPem: string }): Promise<void> {
  await replaceFile(files.certificatePath, files.certificatePem, 0o600);
  try {
    await replaceFile(files.keyPath, files.privateKeyPem, 0o400);
  } catch (error) {
    await rm(files.certificatePath, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** A fresh file created with its final mode, so the content is never readable by others. */
async function replaceFile(path: string, content: string, mode: number): Promise<void> {
  try {
    await rm(path, { force: true });
    await writeNewFile(path, content, mode);
    await chmod(path, mode); // the umask may have narrowed the mode given at creation
  } catch (error) {
    throw new CommandFailure(`cannot write ${path}: ${(error as Error).message}`, EXIT_CODES.outputFailure);
  }
}
