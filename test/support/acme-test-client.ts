import { calculateJwkThumbprint, exportJWK, FlattenedSign, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { DirectoryJson } from '../../src/acme/wire-types.js';

export type TestAlg = 'ES256' | 'ES384' | 'RS256';

export interface TestAccountKey {
  readonly alg: TestAlg;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly thumbprint: string;
}

export async function accountKey(alg: TestAlg = 'ES256'): Promise<TestAccountKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

export interface AcmeReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface JwsOptions {
  /** Put the key in `jwk` instead of `kid` (default: jwk when there is no account yet). */
  readonly useJwk?: boolean;
  readonly kid?: string;
  readonly nonce?: string | null;
  readonly url?: string;
  /** Merged last into the protected header (undefined values delete members). */
  readonly header?: Record<string, unknown>;
  readonly key?: TestAccountKey;
}

/**
 * A deliberately thin ACME client for protocol tests: it signs exactly what it is told, never
 * retries, and exposes raw replies so tests can assert statuses, headers and problem documents.
 */
export class RawAcmeClient {
  kid: string | undefined;
  directory!: DirectoryJson;

  constructor(
    readonly directoryUrl: string,
    public key: TestAccountKey,
  ) {}

  static async create(directoryUrl: string, alg: TestAlg = 'ES256'): Promise<RawAcmeClient> {
    const client = new RawAcmeClient(directoryUrl, await accountKey(alg));
    client.directory = (await (await fetch(directoryUrl)).json()) as DirectoryJson;
    return client;
  }

  async nonce(): Promise<string> {
    const response = await fetch(this.directory.newNonce, { method: 'HEAD' });
    return response.headers.get('replay-nonce')!;
  }

  async jws(url: string, payload: unknown, options: JwsOptions = {}): Promise<Record<string, string>> {
    const key = options.key ?? this.key;
    const useJwk = options.useJwk ?? this.kid === undefined;
    const header: Record<string, unknown> = { alg: key.alg, url: options.url ?? url };
    if (options.nonce !== null) header['nonce'] = options.nonce ?? (await this.nonce());
    if (useJwk) header['jwk'] = key.publicJwk;
    else header['kid'] = options.kid ?? this.kid;
    for (const [name, value] of Object.entries(options.header ?? {})) {
      if (value === undefined) delete header[name];
      else header[name] = value;
    }
    const bytes = payload === '' ? new Uint8Array() : new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
    const signed = await new FlattenedSign(bytes).setProtectedHeader(header).sign(key.privateKey);
    return signed as unknown as Record<string, string>;
  }

  async post(url: string, payload: unknown, options: JwsOptions & { contentType?: string } = {}): Promise<AcmeReply> {
    return this.send(url, JSON.stringify(await this.jws(url, payload, options)), options.contentType);
  }

  /** `chunked` streams the body without a Content-Length; `headers` adds request headers. */
  async send(url: string, body: string | Uint8Array, contentType = 'application/jose+json', extra: { headers?: Record<string, string>; chunked?: boolean } = {}): Promise<AcmeReply> {
    const headers = { 'content-type': contentType, ...extra.headers };
    const init: RequestInit & { duplex?: 'half' } = extra.chunked
      ? { method: 'POST', body: streamOf(typeof body === 'string' ? new TextEncoder().encode(body) : body), headers, duplex: 'half' }
      : { method: 'POST', body, headers };
    const response = await fetch(url, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
  }

  async createAccount(payload: Record<string, unknown> = { termsOfServiceAgreed: true }): Promise<AcmeReply> {
    const reply = await this.post(this.directory.newAccount, payload, { useJwk: true });
    if (reply.status === 201 || reply.status === 200) this.kid = reply.headers.get('location') ?? undefined;
    return reply;
  }

  async newOrder(ips: readonly string[], extra: Record<string, unknown> = {}): Promise<AcmeReply> {
    return this.post(this.directory.newOrder, { identifiers: ips.map((value) => ({ type: 'ip', value })), ...extra });
  }

  /** POST-as-GET. */
  async fetch(url: string): Promise<AcmeReply> {
    return this.post(url, '');
  }

  /** Polls a resource until `done` holds, a bounded number of times (never a timed assertion). */
  async pollUntil(url: string, done: (body: Record<string, unknown>) => boolean, attempts = 200): Promise<Record<string, unknown>> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const body = (await this.fetch(url)).json();
      if (done(body)) return body;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${url} did not reach the expected state after ${attempts} polls`);
  }
}

export function keyAuthorizationFor(token: string, key: TestAccountKey): string {
  return `${token}.${key.thumbprint}`;
}

/** A body stream of 16 KiB pieces: fetch sends it chunked, with no Content-Length. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 16_384));
      offset += 16_384;
    },
  });
}
