import { Informer, type InformerHandlers, type InformerOptions, type InformerStats } from './informer.js';
import { splitKey, type KubeObject } from './kube-object.js';

export interface InformerSetOptions extends Omit<InformerOptions, 'namespace'> {
  /**
   * Watch only these namespaces, one list+watch each; absent or empty: one cluster-wide list+watch.
   * Leave it out for cluster-scoped kinds.
   */
  readonly namespaces?: readonly string[];
}

/**
 * One cache view over one or several informers of the same kind: one cluster-wide, or one per
 * watched namespace (controller-runtime's multi-namespace cache). Keys, lookups, lists and handlers
 * behave as for a single informer, so readers do not know how many watches feed it.
 */
export class InformerSet<T extends KubeObject> {
  private readonly byNamespace = new Map<string, Informer<T>>();
  private readonly all: ReadonlyArray<Informer<T>>;

  constructor(options: InformerSetOptions) {
    const { namespaces, ...shared } = options;
    if (!namespaces || namespaces.length === 0) {
      this.all = [new Informer<T>(shared)];
      return;
    }
    for (const namespace of new Set(namespaces)) this.byNamespace.set(namespace, new Informer<T>({ ...shared, namespace }));
    this.all = [...this.byNamespace.values()];
  }

  /** The namespaces watched; undefined when the watch is cluster-wide. */
  get namespaces(): readonly string[] | undefined {
    return this.byNamespace.size > 0 ? [...this.byNamespace.keys()] : undefined;
  }

  /** The resource plural, e.g. `secrets`. */
  get resource(): string {
    return this.all[0]!.resource;
  }

  get hasSynced(): boolean {
    return this.all.every((informer) => informer.hasSynced);
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    for (const informer of this.all) informer.addHandlers(handlers);
  }

  get(key: string): T | undefined {
    if (this.byNamespace.size === 0) return this.all[0]!.get(key);
    const { namespace } = splitKey(key);
    return namespace === undefined ? undefined : this.byNamespace.get(namespace)?.get(key);
  }

  list(): T[] {
    return this.all.flatMap((informer) => informer.list());
  }

  keys(): string[] {
    return this.all.flatMap((informer) => informer.keys());
  }

  get size(): number {
    return this.all.reduce((sum, informer) => sum + informer.size, 0);
  }

  /** Starts every watch; resolves once each has its first list in the cache. */
  async start(): Promise<void> {
    await Promise.all(this.all.map((informer) => informer.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((informer) => informer.stop()));
  }

  /** Summed over the watches. */
  get stats(): InformerStats {
    const total: InformerStats = { lists: 0, watches: 0, relistsAfterGone: 0, watchErrors: 0 };
    for (const { stats } of this.all) {
      total.lists += stats.lists;
      total.watches += stats.watches;
      total.relistsAfterGone += stats.relistsAfterGone;
      total.watchErrors += stats.watchErrors;
    }
    return total;
  }
}
