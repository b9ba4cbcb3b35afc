import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_ENTRY = join(REPO_ROOT, 'bin/smsgate-ca.js');
/** A copy of ../shared/fixtures/seed-request-192.168.1.2.csr, a real CSR from the SMSGate project. */
export const SEED_CSR = join(REPO_ROOT, 'test/fixtures/csr/seed-request-192.168.1.2.csr');

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion and returns its exit code and output; never throws on non-zero. */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      file,
      [...args],
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(spawnFailure(error));
        resolvePromise({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) {
      // A program may stop reading its input early (as `head` does): the rest is then EPIPE, not a failure.
      child.stdin?.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') reject(error);
      });
      child.stdin?.end(options.input);
    }
  });
}

/** The built CLI, as a user runs it after `npm run build`. */
export function runCliProcess(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  return run(process.execPath, [CLI_ENTRY, ...args], options);
}

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'smsgate-ca-test-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'smsgate-ca-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The tool could not be run at all (not found, killed by the timeout): no exit code to report. */
function spawnFailure(error: Error): Error {
  return error;
}
