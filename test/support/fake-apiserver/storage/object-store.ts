import type { JsonObject } from '../core/json-value.js';
import { nameOf, namespaceOf, ownerReferencesOf, uidOf, mutableMetadata } from '../core/object-meta.js';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: StoreEventType;
  readonly revision: number;
  readonly storageKey: string;
  readonly namespace: string;
  /** Storage form. For DELETED: the last state, stamped with the deletion's resourceVersion. */
  readonly object: JsonObject;
  /** The state before this event (MODIFIED, DELETED). */
  readonly previous?: JsonObject;
}

export interface StoredRef {
  readonly storageKey: string;
  readonly object: JsonObject;
}

type Bucket = Map<string, Map<string, JsonObject>>;

interface Locator {
  readonly storageKey: string;
  readonly namespace: string;
  readonly name: string;
}

function locatorKey(l: Locator): string {
  return `${l.storageKey}\u0000${l.namespace}\u0000${l.name}`;
}

/**
 * The etcd of the double: one bucket per storage key, objects by namespace then name, and a single
 * global resourceVersion counter. Stored objects are never mutated after a write; readers that
 * want to change one must clone it.
 */
export class ObjectStore {
  private revision: number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly byUid = new Map<string, Locator>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly locators = new Map<string, Locator>();
  private readonly listeners: Array<(event: StoreEvent) => void> = [];

  constructor(initialRevision = 1) {
    this.revision = initialRevision;
  }

  /** Listeners run synchronously, in registration order, inside the write. They must not write. */
  subscribe(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  currentRevision(): number {
    return this.revision;
  }

  /** Consumes one revision without a write, as an unrelated write elsewhere in etcd would. */
  skipRevision(): number {
    this.revision += 1;
    return this.revision;
  }

  get(storageKey: string, namespace: string, name: string): JsonObject | undefined {
    return this.buckets.get(storageKey)?.get(namespace)?.get(name);
  }

  /** Objects in key order (namespace, then name), like an etcd range read. */
  list(storageKey: string, namespace?: string): JsonObject[] {
    const bucket = this.buckets.get(storageKey);
    if (bucket === undefined) return [];
    const namespaces = namespace === undefined ? [...bucket.keys()].sort() : [namespace];
    const out: JsonObject[] = [];
    for (const ns of namespaces) {
      const objects = bucket.get(ns);
      if (objects === undefined) continue;
      for (const name of [...objects.keys()].sort()) {
        const obj = objects.get(name);
        if (obj !== undefined) out.push(obj);
      }
    }
    return out;
  }

  count(storageKey: string): number {
    let total = 0;
    for (const objects of this.buckets.get(storageKey)?.values() ?? []) total += objects.size;
    return total;
  }

  storageKeys(): string[] {
    return [...this.buckets.keys()];
  }

  findByUid(uid: string): StoredRef | undefined {
    const locator = this.byUid.get(uid);
    if (locator === undefined) return undefined;
    const object = this.get(locator.storageKey, locator.namespace, locator.name);
    return object === undefined ? undefined : { storageKey: locator.storageKey, object };
  }

  /** Objects whose ownerReferences name `ownerUid`. */
  dependentsOf(ownerUid: string): StoredRef[] {
    const keys = this.dependents.get(ownerUid);
    if (keys === undefined) return [];
    const out: StoredRef[] = [];
    for (const key of keys) {
      const locator = this.locators.get(key);
      const object = locator && this.get(locator.storageKey, locator.namespace, locator.name);
      if (locator !== undefined && object !== undefined) out.push({ storageKey: locator.storageKey, object });
    }
    return out;
  }

  /** Every object in a namespace, across all buckets. */
  inNamespace(namespace: string): StoredRef[] {
    const out: StoredRef[] = [];
    for (const [storageKey, bucket] of this.buckets) {
      for (const object of bucket.get(namespace)?.values() ?? []) out.push({ storageKey, object });
    }
    return out;
  }

  /** Stores `obj` (taking ownership of it), stamping the next resourceVersion. */
  write(storageKey: string, obj: JsonObject): JsonObject {
    const namespace = namespaceOf(obj);
    const name = nameOf(obj);
    const bucket = this.bucket(storageKey);
    const objects = bucket.get(namespace) ?? new Map<string, JsonObject>();
    bucket.set(namespace, objects);
    const previous = objects.get(name);
    this.revision += 1;
    mutableMetadata(obj)['resourceVersion'] = String(this.revision);
    objects.set(name, obj);
    this.index({ storageKey, namespace, name }, previous, obj);
    this.emit({
      type: previous === undefined ? 'ADDED' : 'MODIFIED',
      revision: this.revision,
      storageKey,
      namespace,
      object: obj,
      ...(previous === undefined ? {} : { previous }),
    });
    return obj;
  }

  remove(storageKey: string, namespace: string, name: string): JsonObject | undefined {
    const objects = this.buckets.get(storageKey)?.get(namespace);
    const previous = objects?.get(name);
    if (objects === undefined || previous === undefined) return undefined;
    objects.delete(name);
    if (objects.size === 0) this.buckets.get(storageKey)?.delete(namespace);
    this.revision += 1;
    const tombstone = structuredClone(previous);
    mutableMetadata(tombstone)['resourceVersion'] = String(this.revision);
    this.index({ storageKey, namespace, name }, previous, undefined);
    this.emit({ type: 'DELETED', revision: this.revision, storageKey, namespace, object: tombstone, previous });
    return tombstone;
  }

  private bucket(storageKey: string): Bucket {
    let bucket = this.buckets.get(storageKey);
    if (bucket === undefined) {
      bucket = new Map();
      this.buckets.set(storageKey, bucket);
    }
    return bucket;
  }

  private index(locator: Locator, previous: JsonObject | undefined, next: JsonObject | undefined): void {
    const key = locatorKey(locator);
    if (previous !== undefined) {
      this.byUid.delete(uidOf(previous));
      for (const ref of ownerReferencesOf(previous)) {
        const set = this.dependents.get(ref.uid);
        set?.delete(key);
        if (set?.size === 0) this.dependents.delete(ref.uid);
      }
      this.locators.delete(key);
    }
    if (next === undefined) return;
    this.locators.set(key, locator);
    const uid = uidOf(next);
    if (uid !== '') this.byUid.set(uid, locator);
    for (const ref of ownerReferencesOf(next)) {
      const set = this.dependents.get(ref.uid) ?? new Set<string>();
      set.add(key);
      this.dependents.set(ref.uid, set);
    }
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
