export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | boolean | undefined;

export interface KubeRequest {
  readonly method: HttpMethod;
  /** Absolute API path, e.g. `/api/v1/namespaces/default/secrets`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /** Defaults to application/json; patches must say which kind they are. */
  readonly contentType?: string;
}

/** One line of a watch stream. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: unknown;
}

/**
 * The transport every Kubernetes caller in the product uses. One implementation talks HTTPS to a
 * real API server (KubeHttpClient); tests can wrap it to inject faults.
 */
export interface KubeApi {
  /** JSON in, JSON out; throws KubeApiError for non-2xx answers. */
  request<T>(request: KubeRequest): Promise<T>;
  /**
   * Streams a watch: calls `onEvent` per event until the server ends the stream (resolves), the
   * connection breaks (rejects) or `signal` aborts (resolves).
   */
  watch(path: string, query: Readonly<Record<string, QueryValue>>, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void>;
}

export const PATCH = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
