import type { KubeApi } from './kube-api.js';
import { silentKubeLog, type KubeLog } from './kube-log.js';
import { ResourceClient } from './resource-client.js';
import { EVENTS } from './resource-types.js';
import type { Clock } from '../shared/clock.js';
import type { CoreEvent } from './core-types.js';

export type EventType = 'Normal' | 'Warning';

/** The object an Event is about. */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Absent for cluster-scoped objects: their Events go to `default`. */
  readonly namespace?: string;
  readonly uid?: string;
}

export interface EventRecorderOptions {
  readonly api: KubeApi;
  readonly component: string;
  /** Who reports: the pod name. */
  readonly instance: string;
  readonly clock: Clock;
  readonly log?: KubeLog;
  /** Events written at once; the rest wait. Default 4. */
  readonly concurrency?: number;
  /** Queued events beyond which new ones are dropped (and logged). Default 10,000. */
  readonly maxQueued?: number;
}


const AGGREGATION_WINDOW_MS = 10 * 60_000;
const MAX_REMEMBERED = 4096;

/**
 * Writes core/v1 Events (what `kubectl describe` shows) in the background. A repeat of the same
 * reason and message for the same object within ten minutes bumps `count` instead of adding an
 * Event, as client-go's correlator does. Recording never fails the caller.
 */
export class EventRecorder {
  private readonly client: ResourceClient<CoreEvent>;
  private readonly log: KubeLog;
  private readonly queue: Array<() => Promise<void>> = [];
  private readonly recent = new Map<string, { name: string; namespace: string; count: number; first: string; at: number }>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private sequence = 0;

  constructor(private readonly options: EventRecorderOptions) {
    this.client = new ResourceClient<CoreEvent>(options.api, EVENTS);
    this.log = options.log ?? silentKubeLog;
  }

  record(object: InvolvedObject, type: EventType, reason: string, message: string): void {
    if (this.queue.length >= (this.options.maxQueued ?? 10_000)) {
      this.log.warn({ reason, object: object.name }, 'event queue full; event dropped');
      return;
    }
    this.queue.push(() => this.write(object, type, reason, message));
    this.drain();
  }

  /** Resolves when every queued Event has been written (or failed). */
  flush(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    while (this.running < (this.options.concurrency ?? 4) && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running += 1;
      void job()
        .catch((error: unknown) => this.log.warn({ err: error }, 'could not record an Event'))
        .finally(() => {
          this.running -= 1;
          this.drain();
          if (this.running === 0 && this.queue.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
  }

  private async write(object: InvolvedObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = this.options.clock.now();
    const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
    const key = `${object.uid ?? object.namespace + '/' + object.name}|${type}|${reason}|${message}`;
    const seen = this.recent.get(key);
    if (seen && now.getTime() - seen.at < AGGREGATION_WINDOW_MS) {
      seen.count += 1;
      seen.at = now.getTime();
      const patched = await this.client.mergePatch(seen.namespace, seen.name, { count: seen.count, lastTimestamp: stamp }).catch(() => undefined);
      if (patched) return;
    }
    const namespace = object.namespace ?? 'default';
    const name = `${object.name}.${now.getTime().toString(16)}${(this.sequence++ % 4096).toString(16).padStart(3, '0')}`;
    await this.client.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: object,
      reason,
      message: message.slice(0, 1024),
      type,
      count: 1,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      source: { component: this.options.component },
      reportingComponent: this.options.component,
      reportingInstance: this.options.instance,
    });
    this.remember(key, { name, namespace, count: 1, first: stamp, at: now.getTime() });
  }

  private remember(key: string, entry: { name: string; namespace: string; count: number; first: string; at: number }): void {
    this.recent.delete(key);
    this.recent.set(key, entry);
    if (this.recent.size > MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
  }
}
