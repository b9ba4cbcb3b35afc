/** Child processes for bench/startup.ts: start until a line appears, read /proc, stop the whole group. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface Started {
  readonly child: ChildProcess;
  /** Milliseconds from spawn to the awaited line. */
  readonly ms: number;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Spawns `command` in its own process group (npm start forks a shell and node) and waits for
 * `ready` in its output, at most `timeoutMs`.
 */
export function startUntil(command: string, args: readonly string[], options: { cwd: string; ready: RegExp; timeoutMs: number }): Promise<Started> {
  const started = process.hrtime.bigint();
  const child = spawn(command, [...args], { cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`${command} ${args.join(' ')}: no ${options.ready} within ${options.timeoutMs} ms:\n${output}`))), options.timeoutMs);
    const take = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (!options.ready.test(output)) return;
      clearTimeout(timer);
      resolve({ child, ms: Number(process.hrtime.bigint() - started) / 1e6, output: () => output, stop });
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited before ${options.ready}:\n${output}`));
    });
  });
}

/** Milliseconds from spawn to exit. */
export function timeToExit(command: string, args: readonly string[], cwd: string): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, stdio: 'ignore', env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`${command} exited with ${code}`))));
  });
}

/** The resident set (VmRSS) of a process, in MiB (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const match = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
