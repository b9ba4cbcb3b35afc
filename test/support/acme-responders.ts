import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type SecureContext, type Server as TlsServer } from 'node:tls';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

/** An http-01 responder on loopback: serves /.well-known/acme-challenge/TOKEN from a map. */
export interface Http01Responder {
  readonly port: number;
  readonly tokens: Map<string, string>;
  /** Paths requested, in order (with the Host header), to assert what the validator fetched. */
  readonly requests: Array<{ path: string; host: string | undefined }>;
  /** Overrides the answer for a path (e.g. a redirect). */
  readonly overrides: Map<string, { status: number; headers?: Record<string, string>; body?: string }>;
  close(): Promise<void>;
}

/** `directory`: also serve TOKEN from a file of that name there (for hook scripts of real clients). */
export async function startHttp01Responder(host = '127.0.0.1', port = 0, directory?: string): Promise<Http01Responder> {
  const tokens = new Map<string, string>();
  const requests: Array<{ path: string; host: string | undefined }> = [];
  const overrides = new Map<string, { status: number; headers?: Record<string, string>; body?: string }>();
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    requests.push({ path, host: req.headers.host });
    const override = overrides.get(path);
    if (override) {
      res.writeHead(override.status, override.headers ?? {});
      return res.end(override.body ?? '');
    }
    const match = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(path);
    const body = match ? (tokens.get(match[1]!) ?? fromDirectory(directory, match[1]!)) : undefined;
    if (body === undefined) {
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(body);
  });
  await listen(server, host, port);
  return { port: (server.address() as AddressInfo).port, tokens, requests, overrides, close: () => closeServer(server) };
}

function fromDirectory(directory: string | undefined, token: string): string | undefined {
  if (!directory || !existsSync(join(directory, token))) return undefined;
  return readFileSync(join(directory, token), 'utf8');
}

/** A tls-alpn-01 responder on loopback: answers ALPN acme-tls/1 with a certificate per SNI name. */
export interface TlsAlpnResponder {
  readonly port: number;
  /** Installs the RFC 8737 certificate for this IP and key authorization (or a deliberately wrong one). */
  arm(ip: string, keyAuthorization: string, options?: { readonly critical?: boolean; readonly sanIp?: string }): Promise<void>;
  readonly sniSeen: string[];
  close(): Promise<void>;
}

export async function startTlsAlpnResponder(host = '127.0.0.1', port = 0): Promise<TlsAlpnResponder> {
  const contexts = new Map<string, SecureContext>();
  const sniSeen: string[] = [];
  const fallback = await acmeCertificate('127.0.0.1', 'unused', {});
  const server = createTlsServer({
    ...fallback,
    ALPNProtocols: ['acme-tls/1'],
    SNICallback: (name, callback) => {
      sniSeen.push(name);
      callback(null, contexts.get(name) ?? createSecureContext(fallback));
    },
  });
  await listen(server, host, port);
  return {
    port: (server.address() as AddressInfo).port,
    sniSeen,
    async arm(ip, keyAuthorization, options = {}) {
      const reverse = `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
      contexts.set(reverse, createSecureContext(await acmeCertificate(options.sanIp ?? ip, keyAuthorization, options)));
    },
    close: () => closeServer(server),
  };
}

async function acmeCertificate(ip: string, keyAuthorization: string, options: { readonly critical?: boolean }): Promise<{ key: string; cert: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await globalThis.crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const digest = createHash('sha256').update(keyAuthorization).digest();
  const acmeIdentifier = Buffer.concat([Buffer.from([0x04, 0x20]), digest]);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    keys,
    signingAlgorithm: algorithm,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: ip }], true),
      new x509.Extension('1.3.6.1.5.5.7.1.31', options.critical ?? true, acmeIdentifier),
    ],
  });
  const pkcs8 = Buffer.from(await globalThis.crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`, cert: certificate.toString('pem') };
}

function listen(server: Server | TlsServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

function closeServer(server: Server | TlsServer): Promise<void> {
  return new Promise((resolve) => {
    (server as Server).closeAllConnections?.();
    server.close(() => resolve());
  });
}
