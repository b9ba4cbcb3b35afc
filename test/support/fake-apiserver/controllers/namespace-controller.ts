import { cloneJson, ensureObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { deleteLive } from '../objects/object-deleter.js';
import { deletionTimestampOf, finalizersOf, nameOf } from '../core/object-meta.js';
import type { ObjectService } from '../objects/object-service.js';
import type { ObjectStore, StoreEvent } from '../storage/object-store.js';
import type { ResourceRegistry } from '../core/resource-registry.js';
import type { ResourceType } from '../core/resource-type.js';
import type { WorkQueue } from '../storage/work-queue.js';
import { SYSTEM_WRITE } from '../core/write-options.js';

export interface NamespaceControllerOptions {
  /** Create the `default` ServiceAccount and `kube-root-ca.crt` ConfigMap in new namespaces. */
  readonly seedDefaults: boolean;
  readonly caPem: string;
}

/**
 * Namespace lifecycle: a deleted namespace turns Terminating, its content is deleted, and the
 * namespace goes away once the last object (finalizers included) is gone. New namespaces get the
 * objects the service-account and root-CA-publisher controllers would create.
 */
export class NamespaceController {
  constructor(
    private readonly store: ObjectStore,
    private readonly service: ObjectService,
    private readonly registry: ResourceRegistry,
    private readonly queue: WorkQueue,
    private readonly options: NamespaceControllerOptions,
  ) {}

  start(): void {
    this.store.subscribe((event) => this.onEvent(event));
  }

  private onEvent(event: StoreEvent): void {
    if (event.storageKey === 'core/namespaces') {
      const name = nameOf(event.object);
      if (event.type === 'ADDED' && this.options.seedDefaults) this.queue.enqueue(`ns-seed:${name}`, () => this.seed(name));
      if (event.type !== 'DELETED' && deletionTimestampOf(event.object) !== undefined) this.scheduleFinalize(name);
      return;
    }
    if (event.type === 'DELETED' && event.namespace !== '') {
      const ns = this.store.get('core/namespaces', '', event.namespace);
      if (ns !== undefined && deletionTimestampOf(ns) !== undefined) this.scheduleFinalize(event.namespace);
    }
  }

  private scheduleFinalize(name: string): void {
    this.queue.enqueue(`ns-finalize:${name}`, () => this.finalize(name));
  }

  private typeFor(storageKey: string): ResourceType | undefined {
    return this.registry.typesForStorage(storageKey)[0];
  }

  private finalize(name: string): void {
    const ns = this.store.get('core/namespaces', '', name);
    if (ns === undefined || deletionTimestampOf(ns) === undefined) return;
    for (const ref of this.store.inNamespace(name)) {
      const type = this.typeFor(ref.storageKey);
      if (type === undefined) this.store.remove(ref.storageKey, name, nameOf(ref.object));
      else if (deletionTimestampOf(ref.object) === undefined) {
        deleteLive(this.service, type, this.service.view(type, ref.object), { dryRun: false, propagationPolicy: 'Background' });
      }
    }
    if (this.store.inNamespace(name).length > 0) return;
    const namespaceType = this.typeFor('core/namespaces');
    if (namespaceType === undefined) return;
    if (finalizersOf(ns).length === 0) {
      this.service.remove(namespaceType, ns, { dryRun: false });
      return;
    }
    // Metadata finalizers still hold it: drop the spec finalizer (what /finalize does) and wait.
    const next: JsonObject = cloneJson(ns);
    ensureObject(next, 'spec')['finalizers'] = [];
    this.service.commit(namespaceType, next, { dryRun: false });
  }

  private seed(namespace: string): void {
    const ns = this.store.get('core/namespaces', '', namespace);
    if (ns === undefined || deletionTimestampOf(ns) !== undefined) return;
    this.createIfMissing('core/serviceaccounts', namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    this.createIfMissing('core/configmaps', namespace, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } },
      data: { 'ca.crt': this.options.caPem },
    });
  }

  private createIfMissing(storageKey: string, namespace: string, obj: JsonObject): void {
    const type = this.typeFor(storageKey);
    if (type === undefined || this.store.get(storageKey, namespace, nameOf(obj)) !== undefined) return;
    this.service.create(type, namespace, obj, { ...SYSTEM_WRITE, fieldManager: 'kube-controller-manager' });
  }
}
