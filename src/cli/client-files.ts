import { chmod, open, rm } from 'node:fs/promises';

/** Writes the certificate (0600) and the key (0400), replacing earlier files of the same names. */
export async function writeCredentials(files: { certificatePath: string; certificatePem: string; keyPath: string; privateKeyPem: string }): Promise<void> {
  await replaceFile(files.keyPath, files.privateKeyPem, 0o400);
  await replaceFile(files.certificatePath, files.certificatePem, 0o600);
}

/** A fresh file created with its final mode, so the content is never readable by others. */
async function replaceFile(path: string, content: string, mode: number): Promise<void> {
  await rm(path, { force: true });
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(path, mode);
}
