import { backoffDelay, type BackoffPolicy } from '../shared/backoff.js';
import { abortableSleep } from './abortable-sleep.js';
import type { KubeApi, WatchEvent } from './kube-api.js';
import { isGone, KubeApiError } from './kube-errors.js';
import { silentKubeLog, type KubeLog } from './kube-log.js';
import { keyOf, resourceVersionOf, type KubeObject } from './kube-object.js';
import { ResourceClient } from './resource-client.js';
import type { ResourceType } from './resource-types.js';

const DEFAULT_INFORMER_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 30_000 };

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(obj: T, old: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  readonly api: KubeApi;
  readonly type: ResourceType;
  /** Absent: all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  /** Items per list page. Default 500. */
  readonly pageSize?: number;
  /** Server-side watch timeout; each watch picks a random value in [min, 2·min). Default 300 s. */
  readonly watchTimeoutSeconds?: number;
  /** Backoff after a failed list or watch: doubling from `initialMs` to `maxMs`. Default 200 ms .. 30 s. */
  readonly backoff?: BackoffPolicy;
  readonly log?: KubeLog;
}

/** What happened so far; tests and metrics read it. */
export interface InformerStats {
  lists: number;
  watches: number;
  /** Relists forced by 410 Gone / Expired. */
  relistsAfterGone: number;
  watchErrors: number;
}

/**
 * A local cache of one resource kept current by list + watch, like client-go's reflector: it
 * resumes a broken watch from the last resourceVersion it saw (bookmarks included), relists when
 * the server answers 410 Gone, and turns a relist into add/update/delete notifications by diffing
 * against the cache. It never gives up while started.
 */
export class Informer<T extends KubeObject> {
  readonly stats: InformerStats = { lists: 0, watches: 0, relistsAfterGone: 0, watchErrors: 0 };
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly client: ResourceClient<T>;
  private readonly log: KubeLog;
  private resourceVersion = '';
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private synced = false;
  /** Callers of start() waiting for the first list (or for stop()). */
  private syncWaiters: Array<() => void> = [];

  constructor(private readonly options: InformerOptions) {
    this.client = new ResourceClient<T>(options.api, options.type);
    this.log = options.log ?? silentKubeLog;
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  /** The resource plural, e.g. `secrets`. */
  get resource(): string {
    return this.options.type.plural + (this.options.type.group ? `.${this.options.type.group}` : '');
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  get size(): number {
    return this.cache.size;
  }

  /** Starts listing and watching; resolves once the first list is in the cache. */
  start(): Promise<void> {
    if (this.loop) return this.waitSynced();
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
    return this.waitSynced();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.releaseSyncWaiters();
    await this.loop;
    this.loop = undefined;
  }

  private waitSynced(): Promise<void> {
    if (this.synced || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private releaseSyncWaiters(): void {
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
          this.synced = true;
          this.releaseSyncWaiters();
        }
        await this.watchOnce(signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (isGone(error)) {
          this.stats.relistsAfterGone += 1;
          this.log.info({ resource: this.options.type.plural, resourceVersion: this.resourceVersion }, 'watch history expired (410); relisting');
          needList = true;
          continue;
        }
        failures += 1;
        this.stats.watchErrors += 1;
        const delay = backoffDelay(failures, this.options.backoff ?? DEFAULT_INFORMER_BACKOFF);
        this.log.warn({ resource: this.options.type.plural, err: error, retryInMs: delay }, 'list/watch failed; retrying');
        await abortableSleep(delay, signal);
        if (this.resourceVersion === '') needList = true;
      }
    }
  }


  private async relist(): Promise<void> {
    this.stats.lists += 1;
    const { items, resourceVersion } = await this.client.listAll(this.options.namespace, {
      limit: this.options.pageSize ?? 500,
      ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
    });
    const fresh = new Map<string, T>();
    for (const item of items) fresh.set(keyOf(item), this.stripped(item));
    const previous = new Map(this.cache);
    this.cache.clear();
    for (const [key, obj] of fresh) this.cache.set(key, obj);
    this.resourceVersion = resourceVersion;
    for (const [key, obj] of fresh) {
      const old = previous.get(key);
      if (!old) this.notify((h) => h.onAdd?.(obj));
      else if (resourceVersionOf(old) !== resourceVersionOf(obj)) this.notify((h) => h.onUpdate?.(obj, old));
    }
    for (const [key, old] of previous) if (!fresh.has(key)) this.notify((h) => h.onDelete?.(old));
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    this.stats.watches += 1;
    const minimum = this.options.watchTimeoutSeconds ?? 300;
    const query = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: minimum + Math.floor(Math.random() * minimum),
      ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
    };
    await this.options.api.watch(this.client.path(this.options.namespace), query, (event) => this.apply(event), signal);
  }

  private apply(event: WatchEvent): void {
    if (event.type === 'ERROR') throw statusError(event.object, this.client.path(this.options.namespace));
    const obj = event.object as T;
    const version = resourceVersionOf(obj);
    if (event.type === 'BOOKMARK') {
      if (version) this.resourceVersion = version;
      return;
    }
    const key = keyOf(obj);
    const stripped = this.stripped(obj);
    if (version) this.resourceVersion = version;
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.notify((h) => h.onDelete?.(stripped));
      return;
    }
    const old = this.cache.get(key);
    this.cache.set(key, stripped);
    this.notify((h) => (old ? h.onUpdate?.(stripped, old) : h.onAdd?.(stripped)));
  }

  /** managedFields are large and never read: not kept in memory. */
  private stripped(obj: T): T {
    if (obj.metadata && 'managedFields' in obj.metadata) delete (obj.metadata as Record<string, unknown>)['managedFields'];
    return obj;
  }

  private notify(call: (handlers: InformerHandlers<T>) => void): void {
    for (const handlers of this.handlers) {
      try {
        call(handlers);
      } catch (error) {
        this.log.error({ resource: this.options.type.plural, err: error }, 'informer handler failed');
      }
    }
  }
}

function statusError(object: unknown, path: string): KubeApiError {
  const status = (object ?? {}) as { code?: unknown; reason?: unknown; message?: unknown };
  return new KubeApiError(
    typeof status.code === 'number' ? status.code : 500,
    typeof status.reason === 'string' ? status.reason : 'InternalError',
    typeof status.message === 'string' ? status.message : 'watch error',
    'WATCH',
    path,
  );
}
