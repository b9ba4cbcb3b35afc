import { readFile } from 'node:fs/promises';

/** The version in package.json, found upwards from this file (src/cli/ under vitest, dist/src/cli/ when built). */
export async function packageVersion(): Promise<string> {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const parsed = JSON.parse(await readFile(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'smsgate-ca' && parsed.version) return parsed.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}
