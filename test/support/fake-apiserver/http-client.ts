import { request } from 'node:https';
import type { Agent } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { JsonObject, JsonValue } from './core/json-value.js';

/** What a raw request needs to reach a running double. */
export interface ServerEndpoint {
  readonly url: string;
  readonly caPem: string;
  readonly token: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly body?: JsonValue | string | Buffer;
  readonly contentType?: string;
  readonly accept?: string;
  /** Override the bearer token (undefined: the server's; null: none). */
  readonly token?: string | null;
  /** A keep-alive agent (created with `ca: server.caPem`) for bulk requests; default: one connection per request. */
  readonly agent?: Agent;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** Parsed JSON body (or undefined when the body is not JSON). */
  readonly json: JsonObject | undefined;
}

function open(endpoint: ServerEndpoint, req: RawRequest, onResponse: (res: IncomingMessage) => void, onError: (error: Error) => void): () => void {
  const url = new URL(req.path, endpoint.url);
  const payload =
    req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
  const headers: Record<string, string> = { Accept: req.accept ?? 'application/json' };
  const token = req.token === undefined ? endpoint.token : req.token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['Content-Type'] = req.contentType ?? 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  const outgoing = request(url, { method: req.method ?? 'GET', headers, ca: endpoint.caPem, agent: req.agent ?? false }, onResponse);
  outgoing.on('error', onError);
  outgoing.end(payload);
  return () => outgoing.destroy();
}

/** One request/response against the double, for tests that check wire-level behaviour. */
export function kubeRequest(endpoint: ServerEndpoint, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    open(
      endpoint,
      req,
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: JsonObject | undefined;
          try {
            json = JSON.parse(text) as JsonObject;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
      reject,
    );
  });
}

export interface WatchEvent {
  readonly type: string;
  readonly object: JsonObject;
}

export interface RawWatch {
  readonly status: number;
  readonly events: WatchEvent[];
  /** Resolves with the first event (from the start of the stream) matching `predicate`. */
  next(predicate: (event: WatchEvent) => boolean): Promise<WatchEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens a watch and collects its events line by line. */
export function openWatch(endpoint: ServerEndpoint, path: string, accept?: string): Promise<RawWatch> {
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    const waiters: Array<{ predicate: (e: WatchEvent) => boolean; resolve: (e: WatchEvent) => void }> = [];
    let endedResolve: () => void = () => undefined;
    const ended = new Promise<void>((r) => (endedResolve = r));
    const close = open(
      endpoint,
      { path, ...(accept === undefined ? {} : { accept }) },
      (res) => {
        let buffer = '';
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString('utf8');
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (line.trim() !== '') deliver(JSON.parse(line) as WatchEvent);
            newline = buffer.indexOf('\n');
          }
        });
        res.on('end', endedResolve);
        res.on('close', endedResolve);
        resolve({
          status: res.statusCode ?? 0,
          events,
          ended,
          close: () => close(),
          next: (predicate) => {
            const found = events.find(predicate);
            return found !== undefined ? Promise.resolve(found) : new Promise((r) => waiters.push({ predicate, resolve: r }));
          },
        });
      },
      reject,
    );
    function deliver(event: WatchEvent): void {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
  });
}
