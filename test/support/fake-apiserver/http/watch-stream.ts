import type { ServerResponse } from 'node:http';
import { ApiError, badRequest, statusBody } from '../core/api-errors.js';
import { invalid, forbiddenField } from '../core/field-errors.js';
import type { JsonObject } from '../core/json-value.js';
import { formatObject } from './list-handler.js';
import type { ObjectFilter } from '../objects/object-filter.js';
import type { ObjectService } from '../objects/object-service.js';
import type { StoreEvent } from '../storage/object-store.js';
import type { ListOptions } from './request-options.js';
import { contentTypeFor } from './response-format.js';
import type { ResponseFormat } from './response-format.js';
import { apiVersionOf } from '../core/resource-type.js';
import type { ResourceType } from '../core/resource-type.js';
import type { WatchHub, WatchSubscriber } from '../storage/watch-hub.js';

export interface WatchContext {
  readonly service: ObjectService;
  readonly hub: WatchHub;
  readonly currentRevision: () => number;
  readonly now: () => Date;
  readonly bookmarkIntervalMs: number;
  /** Used when the client sends no timeoutSeconds (the real server picks 30–60 minutes). */
  readonly defaultTimeoutSeconds: number;
}

export interface WatchRequest {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly options: ListOptions;
  readonly filter: ObjectFilter;
  readonly format: ResponseFormat;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** The resourceVersion to resume after, or undefined for "now, with the current state first". */
function startingPoint(options: ListOptions): number | undefined {
  const rv = options.resourceVersion ?? '';
  if (options.sendInitialEvents === true && (!options.allowWatchBookmarks || options.resourceVersionMatch !== 'NotOlderThan')) {
    throw invalid('ListOptions', 'meta.k8s.io', '', [
      forbiddenField('sendInitialEvents', 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled, allowWatchBookmarks is true and resourceVersionMatch is NotOlderThan'),
    ]);
  }
  if (rv === '' || rv === '0') return undefined;
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  return Number(rv);
}

/**
 * One watch connection: synthetic ADDED events for the current state (or a replay from the
 * requested resourceVersion, or a 410 ERROR when that is too old), then live events filtered by
 * selector transitions, bookmarks and the timeout. Ends cleanly when the hub closes it.
 */
class WatchConnection implements WatchSubscriber {
  readonly storageKey: string;
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe: () => void = () => undefined;
  private open = true;

  constructor(
    private readonly ctx: WatchContext,
    private readonly res: ServerResponse,
    private readonly watch: WatchRequest,
  ) {
    this.storageKey = watch.type.storageKey;
  }

  start(from: number | undefined): void {
    if (from === undefined) this.sendCurrentState();
    else if (!this.replay(from)) return;
    this.unsubscribe = this.ctx.hub.subscribe(this);
    this.later((this.watch.options.timeoutSeconds ?? this.ctx.defaultTimeoutSeconds) * 1000, () => {
      if (this.watch.options.allowWatchBookmarks) this.bookmark();
      this.close(false);
    });
    if (this.watch.options.allowWatchBookmarks) this.scheduleBookmark();
  }

  deliver(event: StoreEvent): void {
    const { service } = this.ctx;
    const current = service.view(this.watch.type, event.object);
    const matchesNow = this.watch.filter.matches(current);
    if (event.type !== 'MODIFIED') {
      if (matchesNow) this.emit(event.type, current);
      return;
    }
    const matchedBefore = event.previous !== undefined && this.watch.filter.matches(service.view(this.watch.type, event.previous));
    if (matchesNow) this.emit(matchedBefore ? 'MODIFIED' : 'ADDED', current);
    else if (matchedBefore) this.emit('DELETED', current);
  }

  close(abrupt: boolean): void {
    if (!this.open) return;
    this.open = false;
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    if (abrupt) this.res.destroy();
    else this.res.end();
  }

  private sendCurrentState(): void {
    const { options } = this.watch;
    if (options.sendInitialEvents !== false) {
      for (const obj of this.ctx.service.list(this.watch.type, this.watch.namespace)) if (this.watch.filter.matches(obj)) this.emit('ADDED', obj);
    }
    if (options.sendInitialEvents === true) this.bookmark({ [INITIAL_EVENTS_END]: 'true' });
  }

  /** Returns false (after an ERROR 410) when the history no longer reaches back to `from`. */
  private replay(from: number): boolean {
    const replay = this.ctx.hub.replaySince(from, this.storageKey);
    if (replay.expired) {
      this.write('ERROR', statusBody(new ApiError(410, 'Expired', `too old resource version: ${from} (${replay.oldest})`)));
      this.close(false);
      return false;
    }
    for (const event of replay.events) this.deliver(event);
    return true;
  }

  private emit(type: EventType, obj: JsonObject): void {
    this.write(type, formatObject(this.ctx, this.watch.type, obj, this.watch.format));
  }

  private bookmark(annotations?: JsonObject): void {
    const metadata: JsonObject = { resourceVersion: String(this.ctx.currentRevision()) };
    if (annotations !== undefined) metadata['annotations'] = annotations;
    this.write('BOOKMARK', { kind: this.watch.type.kind, apiVersion: apiVersionOf(this.watch.type), metadata });
  }

  private scheduleBookmark(): void {
    this.later(this.ctx.bookmarkIntervalMs, () => {
      this.bookmark();
      this.scheduleBookmark();
    });
  }

  private write(type: EventType, object: JsonObject): void {
    if (this.open) this.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}

export function serveWatch(ctx: WatchContext, res: ServerResponse, watch: WatchRequest): void {
  const from = startingPoint(watch.options);
  res.writeHead(200, { 'Content-Type': contentTypeFor(watch.format, false), 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const connection = new WatchConnection(ctx, res, watch);
  res.on('close', () => connection.close(false));
  connection.start(from);
}
