/**
 * Runs the built `smsgate-ca serve` as a child process on loopback and talks HTTPS to it, trusting
 * only the CA root of its data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { CLI_ENTRY } from './cli.js';

export const TEST_ALLOWED_CIDRS = '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16';

export interface ServeProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  /** SIGTERM (or another signal) and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `extraArgs` come last, so they override the defaults given here (parseArgs keeps the last value). */
export async function startServeProcess(dataDir: string, extraArgs: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const args = [CLI_ENTRY, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--allowed-cidrs', TEST_ALLOWED_CIDRS, '--log-level', 'warn', ...extraArgs];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 30s:\n${output}`)), 30_000);
    const check = () => {
      const match = /listening on (https?):\/\/([0-9.]+):(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        // A server on all interfaces is still only ever contacted over loopback.
        resolve(`${match[1]}://${match[2] === '0.0.0.0' ? '127.0.0.1' : match[2]}:${match[3]}`);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The body of GET /api/v1/csr/{id} (and of the 202 to POST). */
export interface CsrStatusBody {
  request_id: string;
  type: string;
  status: string;
  message: string;
  certificate?: string;
  reason?: string;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = unknown>(): T;
}

/** One request; HTTPS trusts `caPem` only. A raw string body is sent as-is, `chunked` without a Content-Length. */
export function httpCall(
  url: string,
  options: { method?: string; body?: string | Buffer; headers?: Record<string, string>; caPem?: string; chunked?: boolean; localAddress?: string } = {},
): Promise<HttpResult> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ...(options.caPem ? { ca: options.caPem } : {}),
        // The client socket's own loopback address, e.g. 127.0.0.5: what the server sees as the requester.
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
        });
      },
    );
    req.on('error', reject);
    if (options.chunked && options.body !== undefined) writeInChunks(req, Buffer.from(options.body));
    else req.end(options.body);
  });
}

/** Transfer-Encoding: chunked, 16 KiB a chunk: the server learns the size only by reading. */
function writeInChunks(req: ClientRequest, body: Buffer): void {
  req.setHeader('Transfer-Encoding', 'chunked');
  for (let offset = 0; offset < body.length; offset += 16_384) req.write(body.subarray(offset, offset + 16_384));
  req.end();
}

export function postJson(url: string, body: unknown, caPem?: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return httpCall(url, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers }, ...(caPem ? { caPem } : {}) });
}

export function readRoot(dataDir: string): Promise<string> {
  return readFile(join(dataDir, 'ca/root.crt'), 'utf8');
}

/** Polls GET /api/v1/csr/ID until the status is no longer pending (bounded by attempts, not time). */
export async function pollUntilDecided(baseUrl: string, id: string, caPem: string, attempts = 200): Promise<HttpResult> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const result = await httpCall(`${baseUrl}/api/v1/csr/${id}`, { caPem });
    if (result.status !== 200 || result.json<{ status: string }>().status !== 'pending') return result;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`request ${id} still pending after ${attempts} polls`);
}
