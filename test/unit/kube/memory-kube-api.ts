import type { KubeApi, KubeRequest, QueryValue, WatchEvent } from '../../../src/kube/kube-api.js';
import { KubeApiError } from '../../../src/kube/kube-errors.js';

interface Stored {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * An in-memory stand-in for the API server, for unit tests: objects by path, resourceVersions,
 * 404/409 like the real thing; watches are scripted by the test (`watchScript`).
 */
export class MemoryKubeApi implements KubeApi {
  readonly objects = new Map<string, Stored>();
  readonly requests: KubeRequest[] = [];
  revision = 100;
  /** Each watch call takes the next script: events to deliver, then how the stream ends. */
  watchScript: Array<{ events: WatchEvent[]; end: 'close' | Error | 'hang'; gate?: Promise<void> }> = [];
  readonly watchCalls: Array<Readonly<Record<string, QueryValue>>> = [];
  failNext: KubeApiError | undefined;

  async request<T>(request: KubeRequest): Promise<T> {
    this.requests.push(request);
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const body = request.body as Stored | undefined;
    switch (request.method) {
      case 'GET': {
        const found = this.objects.get(request.path);
        if (found) return structuredClone(found) as T;
        const items = [...this.objects.entries()].filter(([path]) => path.startsWith(`${request.path}/`)).map(([, obj]) => structuredClone(obj));
        if (items.length === 0 && !this.isCollection(request.path)) throw this.error(404, 'NotFound', request);
        return { items, metadata: { resourceVersion: String(this.revision) } } as T;
      }
      case 'POST': {
        const path = `${request.path}/${body!.metadata.name}`;
        if (this.objects.has(path)) throw this.error(409, 'AlreadyExists', request);
        return this.store(path, body!) as T;
      }
      case 'PUT': {
        const live = this.objects.get(request.path);
        if (!live) throw this.error(404, 'NotFound', request);
        if (body!.metadata.resourceVersion !== live.metadata.resourceVersion) throw this.error(409, 'Conflict', request);
        return this.store(request.path, body!) as T;
      }
      case 'PATCH': {
        const path = request.path.replace(/\/status$/, '');
        const live = this.objects.get(path);
        if (!live) throw this.error(404, 'NotFound', request);
        const patch = body as { metadata?: { resourceVersion?: string } };
        if (patch.metadata?.resourceVersion && patch.metadata.resourceVersion !== live.metadata.resourceVersion) throw this.error(409, 'Conflict', request);
        return this.store(path, mergePatch(live, body) as Stored) as T;
      }
      case 'DELETE':
        if (!this.objects.delete(request.path)) throw this.error(404, 'NotFound', request);
        return {} as T;
    }
  }

  async watch(_path: string, query: Readonly<Record<string, QueryValue>>, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    this.watchCalls.push(query);
    const script = this.watchScript.shift() ?? { events: [], end: 'hang' as const };
    if ('gate' in script && script.gate) await script.gate;
    for (const event of script.events) onEvent(event);
    if (script.end === 'close') return;
    if (script.end instanceof Error) throw script.end;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  put(path: string, obj: Stored): Stored {
    return this.store(path, obj);
  }

  private store(path: string, obj: Stored): Stored {
    this.revision += 1;
    const copy = structuredClone(obj);
    copy.metadata.resourceVersion = String(this.revision);
    this.objects.set(path, copy);
    return structuredClone(copy);
  }

  private isCollection(path: string): boolean {
    return /\/(secrets|leases|events|configmaps|certificaterequests|ipissuers|ipclusterissuers)$/.test(path);
  }

  private error(status: number, reason: string, request: KubeRequest): KubeApiError {
    return new KubeApiError(status, reason, reason, request.method, request.path);
  }
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
