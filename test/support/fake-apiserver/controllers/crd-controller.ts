import { crdNames, crdStorageKey, typesFromCrd } from '../resources/crd-resources.js';
import type { CrdNames } from '../resources/crd-resources.js';
import { deepEqual, getPath, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { deleteLive } from '../objects/object-deleter.js';
import { deletionTimestampOf, finalizersOf, setFinalizers } from '../core/object-meta.js';
import type { ObjectService } from '../objects/object-service.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ResourceRegistry } from '../core/resource-registry.js';
import type { ResourceType } from '../core/resource-type.js';
import { CRD_CLEANUP_FINALIZER, crdVersions } from '../resources/strategies/crd-strategy.js';
import type { WatchHub } from '../storage/watch-hub.js';
import type { WorkQueue } from '../storage/work-queue.js';
import { SYSTEM_WRITE } from '../core/write-options.js';

const WRITE = { ...SYSTEM_WRITE, fieldManager: 'kube-apiserver' };

/**
 * The apiextensions controllers in one: names acceptance and establishment (status conditions),
 * live registration of the served versions, and instance cleanup when a CRD is deleted.
 */
export interface CrdControllerDeps {
  readonly store: ObjectStore;
  readonly service: ObjectService;
  readonly registry: ResourceRegistry;
  readonly hub: WatchHub;
  readonly queue: WorkQueue;
}

export class CrdController {
  private readonly store: ObjectStore;
  private readonly service: ObjectService;
  private readonly registry: ResourceRegistry;
  private readonly hub: WatchHub;
  private readonly queue: WorkQueue;

  constructor(
    deps: CrdControllerDeps,
    private readonly crdType: ResourceType,
  ) {
    this.store = deps.store;
    this.service = deps.service;
    this.registry = deps.registry;
    this.hub = deps.hub;
    this.queue = deps.queue;
  }

  start(): void {
    this.store.subscribe((event) => {
      if (event.storageKey === this.crdType.storageKey) {
        const name = String(getPath(event.object, ['metadata', 'name']) ?? '');
        this.queue.enqueue(`crd:${name}`, () => this.sync(name));
        return;
      }
      if (event.type === 'DELETED') this.resyncOwnerOf(event.storageKey);
    });
  }

  private resyncOwnerOf(storageKey: string): void {
    const owner = this.registry.all().find((t) => t.storageKey === storageKey && t.origin !== 'builtin');
    if (owner !== undefined) this.queue.enqueue(`crd:${owner.origin}`, () => this.sync(owner.origin));
  }

  private sync(name: string): void {
    const crd = this.store.get(this.crdType.storageKey, '', name);
    if (crd === undefined) {
      this.unregister(name);
      return;
    }
    if (deletionTimestampOf(crd) !== undefined) {
      this.cleanUp(crd);
      return;
    }
    this.registry.replaceOrigin(name, typesFromCrd(crd));
    this.establish(crd);
  }

  private unregister(name: string): void {
    const keys = new Set(this.registry.all().filter((t) => t.origin === name).map((t) => t.storageKey));
    this.registry.replaceOrigin(name, []);
    for (const key of keys) {
      for (const leftover of this.store.list(key)) {
        this.store.remove(key, String(getPath(leftover, ['metadata', 'namespace']) ?? ''), String(getPath(leftover, ['metadata', 'name']) ?? ''));
      }
      this.hub.closeAll(key);
    }
  }

  private establish(crd: JsonObject): void {
    const names = crdNames(crd);
    const status = isJsonObject(crd['status']) ? crd['status'] : {};
    const storage = crdVersions(crd).find((v) => v.storage)?.name;
    const stored = Array.isArray(status['storedVersions']) ? status['storedVersions'] : [];
    const desired: JsonObject = {
      ...status,
      acceptedNames: acceptedNames(names),
      conditions: [
        condition(status, 'NamesAccepted', 'NoConflicts', 'no conflicts found', this.service.timestamp()),
        condition(status, 'Established', 'InitialNamesAccepted', 'the initial names have been accepted', this.service.timestamp()),
      ],
      storedVersions: storage === undefined || stored.includes(storage) ? stored : [...stored, storage],
    };
    if (deepEqual(desired, status)) return;
    const type = this.crdType;
    this.service.applyUpdate({ type, live: this.service.view(type, crd), desired: { ...crd, status: desired }, subresource: 'status' }, WRITE);
  }

  private cleanUp(crd: JsonObject): void {
    const key = crdStorageKey(crdNames(crd));
    const instanceType = this.registry.all().find((t) => t.storageKey === key);
    let remaining = 0;
    for (const instance of this.store.list(key)) {
      remaining += 1;
      if (instanceType !== undefined && deletionTimestampOf(instance) === undefined) {
        deleteLive(this.service, instanceType, this.service.view(instanceType, instance), { dryRun: false });
      }
    }
    if (remaining > 0 && this.store.count(key) > 0) return;
    const next: JsonObject = structuredClone(crd);
    setFinalizers(next, finalizersOf(crd).filter((f) => f !== CRD_CLEANUP_FINALIZER));
    this.service.applyUpdate({ type: this.crdType, live: crd, desired: next, subresource: '' }, WRITE);
  }
}

function acceptedNames(names: CrdNames): JsonObject {
  const out: JsonObject = { plural: names.plural, singular: names.singular, kind: names.kind, listKind: names.listKind };
  if (names.shortNames.length > 0) out['shortNames'] = [...names.shortNames];
  if (names.categories.length > 0) out['categories'] = [...names.categories];
  return out;
}

function condition(status: JsonObject, type: string, reason: string, message: string, now: string): JsonObject {
  const existing = Array.isArray(status['conditions'])
    ? status['conditions'].find((c: JsonValue) => isJsonObject(c) && c['type'] === type && c['status'] === 'True')
    : undefined;
  const since = isJsonObject(existing) && typeof existing['lastTransitionTime'] === 'string' ? existing['lastTransitionTime'] : now;
  return { type, status: 'True', lastTransitionTime: since, reason, message };
}
