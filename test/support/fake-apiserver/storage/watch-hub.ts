import type { ObjectStore, StoreEvent } from './object-store.js';

export interface WatchSubscriber {
  readonly storageKey: string;
  deliver(event: StoreEvent): void;
  /** Ends the watch from the server side (CRD deleted, test hook); `abrupt` resets the connection. */
  close(abrupt: boolean): void;
}

export type Replay = { readonly expired: false; readonly events: StoreEvent[] } | { readonly expired: true; readonly oldest: number };

/**
 * The watch cache: a bounded history of store events (for resuming from a resourceVersion) and the
 * set of live watchers, indexed by storage key.
 */
export class WatchHub {
  private history: Array<StoreEvent | undefined> = [];
  private head = 0;
  /** Events with revision <= floor are no longer available; resuming from below it is a 410. */
  private floor: number;
  private readonly subscribers = new Map<string, Set<WatchSubscriber>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly capacity: number,
  ) {
    this.floor = store.currentRevision();
    store.subscribe((event) => this.publish(event));
  }

  subscribe(subscriber: WatchSubscriber): () => void {
    const set = this.subscribers.get(subscriber.storageKey) ?? new Set<WatchSubscriber>();
    set.add(subscriber);
    this.subscribers.set(subscriber.storageKey, set);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(subscriber.storageKey) === set) this.subscribers.delete(subscriber.storageKey);
    };
  }

  /** Events for `storageKey` after `revision`, or `expired` when the window no longer reaches back. */
  replaySince(revision: number, storageKey: string): Replay {
    if (revision < this.floor) return { expired: true, oldest: this.floor + 1 };
    const events: StoreEvent[] = [];
    for (let i = this.firstAfter(revision); i < this.history.length; i += 1) {
      const event = this.history[i];
      if (event !== undefined && event.storageKey === storageKey) events.push(event);
    }
    return { expired: false, events };
  }

  /** Whether a list/watch pinned at `revision` can still be served consistently. */
  covers(revision: number): boolean {
    return revision >= this.floor;
  }

  /** Test hook: forget the history, as an etcd compaction plus an unrelated write would. */
  expire(): void {
    this.floor = this.store.skipRevision();
    this.history = [];
    this.head = 0;
  }

  /** Test hook and CRD removal: end live watches. Returns how many were closed. */
  closeAll(storageKey?: string, abrupt = false): number {
    const sets = storageKey === undefined ? [...this.subscribers.values()] : [this.subscribers.get(storageKey) ?? new Set()];
    let closed = 0;
    for (const set of sets) {
      for (const subscriber of [...set]) {
        subscriber.close(abrupt);
        closed += 1;
      }
    }
    return closed;
  }

  activeCount(): number {
    let total = 0;
    for (const set of this.subscribers.values()) total += set.size;
    return total;
  }

  private publish(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length - this.head > this.capacity) this.evictOldest();
    const set = this.subscribers.get(event.storageKey);
    if (set === undefined) return;
    for (const subscriber of [...set]) subscriber.deliver(event);
  }

  private evictOldest(): void {
    const oldest = this.history[this.head];
    if (oldest !== undefined) this.floor = oldest.revision;
    this.history[this.head] = undefined;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.history.length) {
      this.history = this.history.slice(this.head);
      this.head = 0;
    }
  }

  private firstAfter(revision: number): number {
    let low = this.head;
    let high = this.history.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const event = this.history[mid];
      if (event !== undefined && event.revision <= revision) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
