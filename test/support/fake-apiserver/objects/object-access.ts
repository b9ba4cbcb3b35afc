import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../core/api-errors.js';
import { cloneJson } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { metadataOf, mutableMetadata, nameOf, namespaceOf, formatTime } from '../core/object-meta.js';
import type { ObjectService } from './object-service.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ResourceRegistry } from '../core/resource-registry.js';
import { splitApiVersion } from '../core/resource-type.js';
import type { ResourceType } from '../core/resource-type.js';
import { SYSTEM_WRITE } from '../core/write-options.js';
import type { FieldValidation } from '../core/write-options.js';

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Direct, in-process access to the double's storage for test setup and assertions. */
export interface ObjectAccess {
  /** The object as a client of `apiVersion` would GET it (a copy), or undefined. */
  get(ref: ObjectRef): JsonObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): JsonObject[];
  /** Full create pipeline (defaulting, validation, namespace checks), as a controller's POST would. */
  create(obj: JsonObject, fieldManager?: string, options?: { readonly fieldValidation?: FieldValidation }): JsonObject;
  /**
   * Full update pipeline (PUT) without a resourceVersion precondition: validation sees the live
   * object as the old one, so transition rules run. `subresource: 'status'` writes status only.
   */
  update(obj: JsonObject, options?: { readonly subresource?: 'status'; readonly fieldManager?: string }): JsonObject;
  /** Replaces `status` through the /status subresource pipeline (spec untouched, no RV precondition). */
  setStatus(ref: ObjectRef, status: JsonObject, fieldManager?: string): JsonObject;
  /**
   * A raw storage write: no validation and no admission, but a new resourceVersion, uid and
   * creationTimestamp when missing, and watch events — like writing to etcd behind the server.
   */
  put(obj: JsonObject): JsonObject;
  /** Raw removal, ignoring finalizers. Returns false when there was nothing to delete. */
  remove(ref: ObjectRef): boolean;
  /** The current global resourceVersion. */
  revision(): number;
}

export function createObjectAccess(store: ObjectStore, service: ObjectService, registry: ResourceRegistry, now: () => Date): ObjectAccess {
  const typeOf = (apiVersion: string, kind: string): ResourceType => {
    const { group, version } = splitApiVersion(apiVersion);
    const type = registry.lookupKind(group, version, kind);
    if (type === undefined) throw badRequest(`no resource serves ${kind} in ${apiVersion}`);
    return type;
  };
  const refOf = (obj: JsonObject): ObjectRef => ({ apiVersion: String(obj['apiVersion'] ?? ''), kind: String(obj['kind'] ?? ''), namespace: namespaceOf(obj), name: nameOf(obj) });
  return {
    get(ref) {
      const type = typeOf(ref.apiVersion, ref.kind);
      const stored = service.getStored(type, ref.namespace ?? '', ref.name);
      return stored === undefined ? undefined : cloneJson(service.view(type, stored));
    },
    list(apiVersion, kind, namespace) {
      return service.list(typeOf(apiVersion, kind), namespace).map((o) => cloneJson(o));
    },
    update(obj, options = {}) {
      const ref = refOf(obj);
      const type = typeOf(ref.apiVersion, ref.kind);
      const stored = service.getStored(type, ref.namespace ?? '', ref.name);
      if (stored === undefined) throw notFound(type, ref.name);
      const live = service.view(type, stored);
      const desired = cloneJson(obj);
      const meta = mutableMetadata(desired);
      meta['resourceVersion'] = metadataOf(live)['resourceVersion'] ?? '';
      const write = { ...SYSTEM_WRITE, fieldManager: options.fieldManager ?? 'fake-apiserver-test' };
      return cloneJson(service.applyUpdate({ type, live, desired, subresource: options.subresource ?? '' }, write).object);
    },
    create(obj, fieldManager = 'fake-apiserver-test', options = {}) {
      const ref = refOf(obj);
      const type = typeOf(ref.apiVersion, ref.kind);
      const write = { ...SYSTEM_WRITE, fieldManager, fieldValidation: options.fieldValidation ?? SYSTEM_WRITE.fieldValidation, warnings: [] };
      return cloneJson(service.create(type, ref.namespace ?? '', obj, write).object);
    },
    setStatus(ref, status, fieldManager = 'fake-apiserver-test') {
      const type = typeOf(ref.apiVersion, ref.kind);
      const stored = service.getStored(type, ref.namespace ?? '', ref.name);
      if (stored === undefined) throw notFound(type, ref.name);
      const live = service.view(type, stored);
      const next = { ...cloneJson(live), status: cloneJson(status) };
      return cloneJson(service.applyUpdate({ type, live, desired: next, subresource: 'status' }, { ...SYSTEM_WRITE, fieldManager }).object);
    },
    put(obj) {
      const ref = refOf(obj);
      const type = typeOf(ref.apiVersion, ref.kind);
      const copy = cloneJson(obj);
      const meta = mutableMetadata(copy);
      if (!type.namespaced) delete meta['namespace'];
      meta['uid'] ??= randomUUID();
      meta['creationTimestamp'] ??= formatTime(now());
      const previous = service.getStored(type, ref.namespace ?? '', ref.name);
      if (previous !== undefined) meta['uid'] = metadataOf(previous)['uid'] ?? meta['uid'];
      return cloneJson(service.commit(type, copy, { dryRun: false }));
    },
    remove(ref) {
      const type = typeOf(ref.apiVersion, ref.kind);
      const key = type.namespaced ? (ref.namespace ?? '') : '';
      return store.remove(type.storageKey, key, ref.name) !== undefined;
    },
    revision: () => store.currentRevision(),
  };
}
