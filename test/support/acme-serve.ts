import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRoot, startServeProcess, type ServeProcess } from './serve-process.js';

/** A port free right now on 127.0.0.1 (the OS picks it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface AcmeServe {
  readonly serve: ServeProcess;
  readonly dir: string;
  readonly directoryUrl: string;
  readonly rootPem: string;
  /** The root alone in a file, for clients given a CA bundle path. */
  readonly rootFile: string;
  stop(): Promise<void>;
}

/**
 * The built `smsgate-ca serve` on loopback with the test CIDRs, its ACME validator dialing the
 * given ports (where the test's responders listen), generous limits and fast retries.
 */
export async function startAcmeServe(options: { http01Port: number; tlsAlpn01Port: number; extraArgs?: readonly string[] }): Promise<AcmeServe> {
  const dir = await mkdtemp(join(tmpdir(), 'smsgate-ca-acme-'));
  const dataDir = join(dir, 'data');
  const serve = await startServeProcess(dataDir, [
    '--acme-http01-port', String(options.http01Port),
    '--acme-tls-alpn01-port', String(options.tlsAlpn01Port),
    '--acme-validation-attempts', '2',
    '--acme-validation-retry-delay', '300ms',
    '--acme-new-account-rate', '0',
    '--acme-new-order-rate', '0',
    ...(options.extraArgs ?? []),
  ]);
  const rootPem = await readRoot(dataDir);
  const rootFile = join(dir, 'root.pem');
  await writeFile(rootFile, rootPem);
  return {
    serve,
    dir,
    directoryUrl: `${serve.url}/acme/directory`,
    rootPem,
    rootFile,
    stop: async () => {
      await serve.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
