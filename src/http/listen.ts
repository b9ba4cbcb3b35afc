import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface TlsMaterial {
  readonly certificatePem: string;
  readonly keyPem: string;
  /**
   * CAs whose client certificates the server asks for. The handshake never fails for want of one
   * (rejectUnauthorized false): clients without a certificate connect as before, and what OpenSSL
   * concluded about a presented one is left for the routes that care (socket.authorized).
   */
  readonly clientCaPem?: string;
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

/**
 * Mozilla's "intermediate" server profile (Server Side TLS 5.7+): TLS 1.3 with OpenSSL's AEAD suites,
 * TLS 1.2 with forward-secret ECDHE and AEAD ciphers only (no CBC, no static RSA, no DHE), the
 * client's preference among them, and the X25519/P-256/P-384 groups.
 */
export const TLS_PROFILE = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  ecdhCurve: 'X25519:prime256v1:secp384r1',
  honorCipherOrder: false,
} as const;

/**
 * Two years, Mozilla's recommendation: long enough that a browser that once reached this server by
 * name over HTTPS never falls back to plain HTTP, and no includeSubDomains or preload, which would
 * bind hosts this server does not own. Browsers ignore HSTS from an IP-literal host (RFC 6797 §8.1).
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000';

export async function listen(
  handler: RequestHandler,
  options: { readonly host: string; readonly port: number; readonly tls?: TlsMaterial },
): Promise<RunningServer> {
  const tls = options.tls;
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    if (tls) response.setHeader('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
    void handler(request, response);
  };
  const server = tls ? createHttpsServer({ cert: tls.certificatePem, key: tls.keyPem, ...TLS_PROFILE, ...clientCertificateRequest(tls) }, listener) : createHttpServer(listener);
  server.on('clientError', answerClientError);
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

function clientCertificateRequest(tls: TlsMaterial): { requestCert?: true; rejectUnauthorized?: false; ca?: string } {
  return tls.clientCaPem ? { requestCert: true, rejectUnauthorized: false, ca: tls.clientCaPem } : {};
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

/** Node's own answers to unreadable requests (400, 408, 413, 431) carry no body: give them the error envelope. */
const CLIENT_ERRORS: Readonly<Record<string, readonly [number, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'the request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request took too long to arrive'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'the chunk extensions are too large'],
};

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify({ error: { message, code: status } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
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
