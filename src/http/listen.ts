import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

export interface TlsMaterial {
  readonly certificatePem: string;
  readonly keyPem: string;
}

export interface RunningServer {
  readonly server: Server;
  readonly address: AddressInfo;
  readonly scheme: 'http' | 'https';
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then drops what is left. */
  close(graceMs?: number): Promise<void>;
}

/** A request handler such as Koa's app.callback(): it answers and handles its own errors. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export async function listen(
  handler: RequestHandler,
  options: { readonly host: string; readonly port: number; readonly tls?: TlsMaterial },
): Promise<RunningServer> {
  const listener = (request: IncomingMessage, response: ServerResponse): void => void handler(request, response);
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.certificatePem, key: options.tls.keyPem, minVersion: 'TLSv1.2' }, listener)
    : createHttpServer(listener);
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    address: server.address() as AddressInfo,
    scheme: options.tls ? 'https' : 'http',
    close: (graceMs = 5_000) => closeServer(server, graceMs),
  };
}

const LISTEN_PROBLEMS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use (is another server running there?)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'that address is not on this machine',
};

/**
 * Binds the address for a moment and lets it go, so that a busy port is reported before the
 * caller writes anything (a new CA, a database). Port 0 is always free.
 */
export async function checkAddressFree(address: { readonly host: string; readonly port: number }): Promise<void> {
  if (address.port === 0) return;
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const problem = LISTEN_PROBLEMS[error.code ?? ''] ?? error.message;
      reject(new Error(`cannot listen on ${address.host}:${address.port}: ${problem}; nothing was written`));
    });
    probe.listen(address.port, address.host, () => probe.close(() => resolve()));
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
