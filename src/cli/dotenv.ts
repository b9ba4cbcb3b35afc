import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from './command.js';

/**
 * Loads `.env` from the working directory into `env`, as the SMSGate command-line client does
 * (godotenv): a variable already set keeps its value, a missing file is fine, an unreadable one
 * is an error.
 */
export async function loadDotEnv(env: NodeJS.ProcessEnv, directory: string): Promise<void> {
  const path = join(directory, '.env');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UsageError(`cannot load ${path}: ${(error as Error).message}`);
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] === undefined) env[name] = value;
  }
}
