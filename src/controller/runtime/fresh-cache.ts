import { keyOf, resourceVersionOf, type KubeObject } from '../../kube/kube-object.js';

/** What FreshCache reads through: an informer's cache. */
export interface CacheSource<T> {
  get(key: string): T | undefined;
  readonly hasSynced: boolean;
}

const WRITTEN_TTL_MS = 60_000;

/**
 * An informer cache plus the objects this controller just wrote, until the watch catches up.
 * Without it a reconcile that runs right after our own write would see the older object (a stale
 * resourceVersion, or no Secret at all) and sign again.
 */
export class FreshCache<T extends KubeObject> implements CacheSource<T> {
  private readonly written = new Map<string, { obj: T; at: number }>();

  constructor(private readonly source: CacheSource<T>) {}

  get hasSynced(): boolean {
    return this.source.hasSynced;
  }

  get(key: string): T | undefined {
    const cached = this.source.get(key);
    const mine = this.written.get(key);
    if (!mine) return cached;
    if ((cached && !olderThan(cached, mine.obj)) || Date.now() - mine.at > WRITTEN_TTL_MS) {
      this.written.delete(key);
      return cached;
    }
    return mine.obj;
  }

  /** Call with the object a write returned. */
  wrote(obj: T): void {
    this.written.set(keyOf(obj), { obj, at: Date.now() });
  }

  /** The informer saw the object deleted: whatever we wrote before is gone too. */
  deleted(key: string): void {
    this.written.delete(key);
  }

  get pendingWrites(): number {
    return this.written.size;
  }
}

/** resourceVersions are opaque, but etcd's are integers: compare them as such when they are. */
function olderThan(a: KubeObject, b: KubeObject): boolean {
  const left = resourceVersionOf(a);
  const right = resourceVersionOf(b);
  if (/^\d+$/.test(left) && /^\d+$/.test(right)) return BigInt(left) < BigInt(right);
  return left !== right;
}
