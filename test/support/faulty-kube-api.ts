import type { KubeApi, KubeRequest, QueryValue, WatchEvent } from '../../src/kube/kube-api.js';

/** Runs before a request is forwarded; may write behind the client's back, delay, or throw. */
export type RequestHook = (request: KubeRequest) => Promise<void> | void;

/**
 * Wraps the controller's KubeApi to inject faults at exact points (a conflicting write just before a
 * status update, a hang, a process "death") while the double still answers everything it gets.
 */
export class FaultyKubeApi implements KubeApi {
  readonly hooks: RequestHook[] = [];
  readonly sent: KubeRequest[] = [];
  private dead = false;

  constructor(private readonly inner: KubeApi) {}

  /** From now on every request and watch fails, as if the process had died. */
  kill(): void {
    this.dead = true;
  }

  async request<T>(request: KubeRequest): Promise<T> {
    if (this.dead) throw new Error('connection refused (process killed)');
    for (const hook of this.hooks) await hook(request);
    if (this.dead) throw new Error('connection refused (process killed)');
    this.sent.push(request);
    return this.inner.request<T>(request);
  }

  async watch(path: string, query: Readonly<Record<string, QueryValue>>, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    if (this.dead) throw new Error('connection refused (process killed)');
    return this.inner.watch(path, query, (event) => {
      if (!this.dead) onEvent(event);
    }, signal);
  }

  /** Writes (POST/PUT/PATCH/DELETE) this client sent, optionally to paths matching `pattern`. */
  writes(pattern?: RegExp): KubeRequest[] {
    return this.sent.filter((request) => request.method !== 'GET' && (!pattern || pattern.test(request.path)));
  }
}
