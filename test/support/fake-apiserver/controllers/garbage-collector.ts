import { cloneJson } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { deleteLive, FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../objects/object-deleter.js';
import { deletionTimestampOf, finalizersOf, metadataOf, mutableMetadata, ownerReferencesOf, setFinalizers, uidOf } from '../core/object-meta.js';
import type { ObjectService } from '../objects/object-service.js';
import type { ObjectStore, StoredRef, StoreEvent } from '../storage/object-store.js';
import type { ResourceRegistry } from '../core/resource-registry.js';
import { splitApiVersion } from '../core/resource-type.js';
import type { ResourceType } from '../core/resource-type.js';
import type { WorkQueue } from '../storage/work-queue.js';
import { SYSTEM_WRITE } from '../core/write-options.js';

const WRITE = { ...SYSTEM_WRITE, fieldManager: 'kube-controller-manager' };

/**
 * The ownerReferences garbage collector: dependents of a deleted owner are deleted (background)
 * or lose the reference when another owner remains; `foregroundDeletion` waits for dependents;
 * `orphan` strips the references first. Objects created with no live owner are collected.
 */
export class GarbageCollector {
  constructor(
    private readonly store: ObjectStore,
    private readonly service: ObjectService,
    private readonly registry: ResourceRegistry,
    private readonly queue: WorkQueue,
  ) {}

  start(): void {
    this.store.subscribe((event) => this.onEvent(event));
  }

  private onEvent(event: StoreEvent): void {
    const uid = uidOf(event.object);
    if (event.type === 'DELETED') {
      this.queue.enqueue(`gc-owner:${uid}`, () => this.collectDependents(uid));
      for (const ref of ownerReferencesOf(event.object)) this.queue.enqueue(`gc-fg:${ref.uid}`, () => this.foreground(ref.uid));
      return;
    }
    const finalizers = finalizersOf(event.object);
    if (deletionTimestampOf(event.object) !== undefined) {
      if (finalizers.includes(ORPHAN_FINALIZER)) this.queue.enqueue(`gc-orphan:${uid}`, () => this.orphan(uid));
      if (finalizers.includes(FOREGROUND_FINALIZER)) this.queue.enqueue(`gc-fg:${uid}`, () => this.foreground(uid));
    }
    if (event.type === 'ADDED' && ownerReferencesOf(event.object).length > 0) {
      this.queue.enqueue(`gc-dangling:${uid}`, () => this.collectIfOrphaned(uid));
    }
  }

  private typeFor(ref: StoredRef): ResourceType | undefined {
    return this.registry.typesForStorage(ref.storageKey)[0];
  }

  private live(uid: string): boolean {
    return this.store.findByUid(uid) !== undefined;
  }

  private collectDependents(ownerUid: string): void {
    if (this.live(ownerUid)) return;
    for (const dependent of this.store.dependentsOf(ownerUid)) this.settleDependent(dependent, ownerUid);
  }

  /** Like the real GC, only owners of a kind the server serves can be judged absent. */
  private collectIfOrphaned(uid: string): void {
    const ref = this.store.findByUid(uid);
    if (ref === undefined) return;
    const owners = ownerReferencesOf(ref.object);
    const resolvable = owners.every((o) => {
      const { group, version } = splitApiVersion(o.apiVersion);
      return this.registry.lookupKind(group, version, o.kind) !== undefined;
    });
    if (owners.length > 0 && resolvable && owners.every((o) => !this.live(o.uid))) this.deleteDependent(ref, 'Background');
  }

  private settleDependent(dependent: StoredRef, goneUid: string): void {
    const remaining = ownerReferencesOf(dependent.object).filter((r) => r.uid !== goneUid && this.live(r.uid));
    if (remaining.length > 0) this.dropOwnerReference(dependent, goneUid);
    else this.deleteDependent(dependent, 'Background');
  }

  private deleteDependent(dependent: StoredRef, policy: 'Background' | 'Foreground'): void {
    const type = this.typeFor(dependent);
    if (type === undefined || deletionTimestampOf(dependent.object) !== undefined) return;
    deleteLive(this.service, type, this.service.view(type, dependent.object), { dryRun: false, propagationPolicy: policy });
  }

  private dropOwnerReference(dependent: StoredRef, ownerUid: string): void {
    const type = this.typeFor(dependent);
    if (type === undefined) return;
    const live = this.service.view(type, dependent.object);
    const next: JsonObject = cloneJson(live);
    const refs = metadataOf(live)['ownerReferences'];
    const kept = Array.isArray(refs) ? refs.filter((r) => !(typeof r === 'object' && r !== null && !Array.isArray(r) && r['uid'] === ownerUid)) : [];
    if (kept.length > 0) mutableMetadata(next)['ownerReferences'] = kept;
    else delete mutableMetadata(next)['ownerReferences'];
    this.service.applyUpdate({ type, live, desired: next, subresource: '' }, WRITE);
  }

  private foreground(ownerUid: string): void {
    const owner = this.store.findByUid(ownerUid);
    if (owner === undefined || !finalizersOf(owner.object).includes(FOREGROUND_FINALIZER)) return;
    const dependents = this.store.dependentsOf(ownerUid);
    for (const dependent of dependents) this.deleteDependent(dependent, 'Foreground');
    if (this.store.dependentsOf(ownerUid).length === 0) this.removeFinalizer(owner, FOREGROUND_FINALIZER);
  }

  private orphan(ownerUid: string): void {
    const owner = this.store.findByUid(ownerUid);
    if (owner === undefined || !finalizersOf(owner.object).includes(ORPHAN_FINALIZER)) return;
    for (const dependent of this.store.dependentsOf(ownerUid)) this.dropOwnerReference(dependent, ownerUid);
    this.removeFinalizer(owner, ORPHAN_FINALIZER);
  }

  private removeFinalizer(ref: StoredRef, finalizer: string): void {
    const type = this.typeFor(ref);
    if (type === undefined) return;
    const live = this.service.view(type, ref.object);
    const next: JsonObject = cloneJson(live);
    setFinalizers(next, finalizersOf(live).filter((f) => f !== finalizer));
    this.service.applyUpdate({ type, live, desired: next, subresource: '' }, WRITE);
  }
}
