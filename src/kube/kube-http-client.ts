import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConnection } from './kube-connection.js';
import type { KubeApi, KubeRequest, QueryValue, WatchEvent } from './kube-api.js';
import { KubeApiError } from './kube-errors.js';
import { TokenBucket, type TokenBucketOptions } from './token-bucket.js';
import { WatchLineDecoder } from './watch-lines.js';

export interface KubeHttpClientOptions {
  /** Sent as User-Agent, so the API server's audit log names us. */
  readonly userAgent?: string;
  /** Deadline of a non-watch request. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Client-side rate limit on every request, watches included (client-go's QPS/Burst); absent: none.
   * cert-manager runs with DEFAULT_KUBE_API_QPS/DEFAULT_KUBE_API_BURST (20/50).
   */
  readonly rateLimit?: TokenBucketOptions;
}

interface OutgoingRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, QueryValue>>;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  /** Watches: no timeout, aborted by the caller. */
  readonly signal?: AbortSignal;
}

/** KubeApi over HTTP(S) with one keep-alive agent (see connectKube). */
export class KubeHttpClient implements KubeApi {
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  /** The client-side rate limiter, when one is configured. */
  readonly limiter: TokenBucket | undefined;

  constructor(
    private readonly connection: KubeConnection,
    options: KubeHttpClientOptions = {},
  ) {
    this.userAgent = options.userAgent ?? 'smsgate-ca';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.limiter = options.rateLimit ? new TokenBucket(options.rateLimit) : undefined;
  }

  async request<T>(request: KubeRequest): Promise<T> {
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const headers: Record<string, string> = body ? { 'Content-Type': request.contentType ?? 'application/json', 'Content-Length': String(body.length) } : {};
    const response = await this.send({ method: request.method, path: request.path, query: request.query ?? {}, headers, ...(body ? { body } : {}) });
    const text = await readAll(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(status, text, request.method, request.path);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async watch(path: string, query: Readonly<Record<string, QueryValue>>, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const response = await this.send({ method: 'GET', path, query: { ...query, watch: true }, headers: {}, signal });
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(status, await readAll(response), 'GET', path);
    const decoder = new WatchLineDecoder();
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        if (error === undefined || signal.aborted) resolve();
        else reject(error instanceof Error ? error : new Error('the watch stream failed'));
      };
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        try {
          for (const event of decoder.push(chunk)) onEvent(event);
        } catch (error) {
          // An ERROR event (e.g. 410 Expired) or a malformed line ends this watch; the caller decides.
          finish(error);
          response.destroy();
        }
      });
      response.once('end', () => finish());
      response.once('error', (error) => finish(error));
      response.once('aborted', () => finish(new Error(`watch ${path} aborted by the server`)));
    });
  }

  private async send({ method, path, query, headers, body, signal }: OutgoingRequest): Promise<IncomingMessage> {
    await this.limiter?.take(signal);
    const url = new URL(path, this.connection.server);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    const auth = await this.connection.headers();
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, {
        method,
        agent: this.connection.agent,
        headers: { Accept: 'application/json', 'User-Agent': this.userAgent, ...auth, ...headers },
        ...(signal ? { signal } : { timeout: this.timeoutMs }),
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.once('timeout', () => req.destroy(Object.assign(new Error(`${method} ${path}: no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.end(body);
    });
  }
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
  });
}

/** Builds the error from a `Status` body when there is one. */
export function apiError(status: number, text: string, method: string, path: string): KubeApiError {
  let reason = '';
  let message = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text) as { reason?: unknown; message?: unknown };
    if (typeof parsed.reason === 'string') reason = parsed.reason;
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not a Status object; keep the raw text
  }
  return new KubeApiError(status, reason || defaultReason(status), message, method, path);
}

function defaultReason(status: number): string {
  const reasons: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 410: 'Expired', 422: 'Invalid', 429: 'TooManyRequests' };
  return reasons[status] ?? (status >= 500 ? 'InternalError' : 'Unknown');
}
