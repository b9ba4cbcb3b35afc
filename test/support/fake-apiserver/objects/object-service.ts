import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, conflict, forbidden, notFound, STALE_OBJECT } from '../core/api-errors.js';
import { invalid, forbiddenField } from '../core/field-errors.js';
import type { FieldError } from '../core/field-errors.js';
import {
  carryServerOwnedMetadata,
  checkNameMatchesUrl,
  dropEmptyMetadataCollections,
  generateName,
  incomingObject,
  stripServerOwnedMetadata,
} from './incoming-object.js';
import { cloneJson, deepEqual, getPath } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { readManagedFields, recordUpdate, scopeFor, writeManagedFields } from '../patch/managed-fields.js';
import type { WriterIdentity } from '../patch/managed-fields.js';
import { objectMetaErrors } from './metadata-validation.js';
import {
  deletionTimestampOf,
  finalizersOf,
  formatTime,
  metadataOf,
  mutableMetadata,
  nameOf,
  namespaceOf,
  resourceVersionOf,
} from '../core/object-meta.js';
import type { ObjectStore } from '../storage/object-store.js';
import { apiVersionOf } from '../core/resource-type.js';
import type { ResourceType } from '../core/resource-type.js';
import type { WriteOptions, WriteResult } from '../core/write-options.js';

export interface InternalWriteFlags {
  /** managedFields were computed by server-side apply and must be kept as they are. */
  readonly presetManagedFields?: boolean;
}

/** Where a write lands: '' for the main resource, 'status' for /status. */
export interface ObjectTarget {
  readonly type: ResourceType;
  readonly namespace: string;
  readonly name: string;
  readonly subresource: string;
}

/** An update in progress: the live object (client view) and the full object the writer wants. */
export interface Change {
  readonly type: ResourceType;
  readonly live: JsonObject;
  readonly desired: JsonObject;
  readonly subresource: string;
}

/**
 * The generic registry store of the double: create and update with the same checks, defaulting and
 * bookkeeping as the real apiserver (uid, timestamps, generation, managedFields, resourceVersion
 * preconditions, status subresource split, no-op detection, finalizer-driven deletion).
 */
export class ObjectService {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => Date,
  ) {}

  view(type: ResourceType, stored: JsonObject): JsonObject {
    return type.view === undefined ? stored : type.view.fromStorage(stored);
  }

  private toStorage(type: ResourceType, obj: JsonObject): JsonObject {
    return type.view === undefined ? obj : type.view.toStorage(obj);
  }

  getStored(type: ResourceType, namespace: string, name: string): JsonObject | undefined {
    return this.store.get(type.storageKey, type.namespaced ? namespace : '', name);
  }

  get(type: ResourceType, namespace: string, name: string): JsonObject {
    const stored = this.getStored(type, namespace, name);
    if (stored === undefined) throw notFound(type, name);
    return this.view(type, stored);
  }

  list(type: ResourceType, namespace: string | undefined): JsonObject[] {
    const scope = type.namespaced ? namespace : undefined;
    return this.store.list(type.storageKey, scope).map((o) => this.view(type, o));
  }

  create(type: ResourceType, namespace: string, body: JsonValue, options: WriteOptions, flags: InternalWriteFlags = {}): WriteResult<JsonObject> {
    const obj = incomingObject(type, body, namespace);
    const meta = mutableMetadata(obj);
    if ((meta['name'] === undefined || meta['name'] === '') && typeof meta['generateName'] === 'string' && meta['generateName'] !== '') {
      meta['name'] = this.uniqueName(type, namespace, meta['generateName']);
    }
    if (type.namespaced) this.assertNamespaceOpen(type, namespace, nameOf(obj));
    this.checkUnknownFields(type, obj, options);
    if (type.statusSubresource) delete obj['status'];
    type.strategy.prepareForCreate?.(obj);
    stripServerOwnedMetadata(obj, flags.presetManagedFields === true);
    dropEmptyMetadataCollections(obj);
    this.validate(type, obj, undefined);
    options.admit?.({ type, subresource: '', object: obj, old: undefined });
    if (this.getStored(type, namespace, nameOf(obj)) !== undefined) throw alreadyExists(type, nameOf(obj));
    meta['uid'] = randomUUID();
    meta['creationTimestamp'] = formatTime(this.now());
    if (type.tracksGeneration) meta['generation'] = 1;
    if (flags.presetManagedFields !== true) {
      writeManagedFields(obj, recordUpdate([], this.writer(type, options, ''), undefined, obj, 'all'));
    }
    return { object: this.commit(type, obj, options), created: true };
  }

  update(target: ObjectTarget, body: JsonValue, options: WriteOptions): WriteResult<JsonObject> {
    const { type, namespace, name, subresource } = target;
    const stored = this.getStored(type, namespace, name);
    if (stored === undefined && subresource === '' && type.allowCreateOnUpdate) {
      const obj = incomingObject(type, body, namespace);
      checkNameMatchesUrl(obj, name);
      return this.create(type, namespace, obj, options);
    }
    if (stored === undefined) throw notFound(type, name);
    const live = this.view(type, stored);
    const incoming = incomingObject(type, body, namespace);
    checkNameMatchesUrl(incoming, name);
    this.checkResourceVersion(type, live, incoming);
    return this.applyUpdate({ type, live, desired: incoming, subresource }, options);
  }

  /** The shared tail of update, patch and apply: `desired` is the full object the client wants. */
  applyUpdate(change: Change, options: WriteOptions, flags: InternalWriteFlags = {}): WriteResult<JsonObject> {
    const { type, live, subresource } = change;
    const next = this.nextObject(change, options, flags);
    if (this.isNoOp(live, next)) return { object: live, created: false };
    if (flags.presetManagedFields !== true) {
      const scope = scopeFor(subresource, type.statusSubresource);
      writeManagedFields(next, recordUpdate(readManagedFields(live), this.writer(type, options, subresource), live, next, scope));
    }
    if (deletionTimestampOf(next) !== undefined && finalizersOf(next).length === 0 && !this.isNamespaceHeld(type, next)) {
      return { object: this.remove(type, next, options), created: false };
    }
    return { object: this.commit(type, next, options), created: false };
  }

  /** Splits status from the rest, keeps server-owned metadata, defaults, validates, bumps generation. */
  private nextObject(change: Change, options: WriteOptions, flags: InternalWriteFlags): JsonObject {
    const { type, live, desired, subresource } = change;
    const next = subresource === 'status' ? this.statusOnly(live, desired) : desired;
    this.checkUnknownFields(type, next, options);
    if (subresource !== 'status' && type.statusSubresource) {
      if (live['status'] === undefined) delete next['status'];
      else next['status'] = live['status'];
    }
    carryServerOwnedMetadata(next, live, flags.presetManagedFields === true);
    dropEmptyMetadataCollections(next);
    if (subresource !== 'status') type.strategy.prepareForUpdate?.(next, live);
    this.validate(type, next, live);
    options.admit?.({ type, subresource, object: next, old: live });
    this.checkFinalizersOnDeletingObject(type, next, live);
    if (type.tracksGeneration && this.specChanged(type, live, next)) {
      mutableMetadata(next)['generation'] = Number(metadataOf(live)['generation'] ?? 0) + 1;
    }
    return next;
  }

  checkResourceVersion(type: ResourceType, live: JsonObject, incoming: JsonObject): void {
    const requested = resourceVersionOf(incoming);
    if (requested === '') {
      if (!type.allowUnconditionalUpdate) {
        throw invalid(type.kind, type.group, nameOf(live), [
          { type: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' },
        ]);
      }
      return;
    }
    if (requested !== resourceVersionOf(live)) throw conflict(type, nameOf(live), STALE_OBJECT);
  }

  timestamp(): string {
    return formatTime(this.now());
  }

  writer(type: ResourceType, options: WriteOptions, subresource: string): WriterIdentity {
    return { manager: options.fieldManager, apiVersion: apiVersionOf(type), subresource, time: formatTime(this.now()) };
  }

  /** Writes the storage form unless dry-run; returns the client view with its new resourceVersion. */
  commit(type: ResourceType, obj: JsonObject, options: Pick<WriteOptions, 'dryRun'>): JsonObject {
    if (options.dryRun) return obj;
    return this.view(type, this.store.write(type.storageKey, this.toStorage(type, obj)));
  }

  remove(type: ResourceType, obj: JsonObject, options: Pick<WriteOptions, 'dryRun'>): JsonObject {
    if (options.dryRun) return obj;
    const tombstone = this.store.remove(type.storageKey, namespaceOf(obj), nameOf(obj));
    return tombstone === undefined ? obj : this.view(type, tombstone);
  }

  /** Namespaces also wait for their `kubernetes` spec finalizer (the namespace controller's). */
  isNamespaceHeld(type: ResourceType, obj: JsonObject): boolean {
    if (type.storageKey !== 'core/namespaces') return false;
    const finalizers = getPath(obj, ['spec', 'finalizers']);
    return Array.isArray(finalizers) && finalizers.length > 0;
  }

  private statusOnly(live: JsonObject, incoming: JsonObject): JsonObject {
    const next = cloneJson(live);
    if (incoming['status'] === undefined) delete next['status'];
    else next['status'] = incoming['status'];
    return next;
  }

  private specChanged(type: ResourceType, live: JsonObject, next: JsonObject): boolean {
    const strip = (obj: JsonObject): JsonObject => {
      const copy: JsonObject = { ...obj };
      delete copy['metadata'];
      if (type.statusSubresource) delete copy['status'];
      return copy;
    };
    return !deepEqual(strip(live), strip(next));
  }

  private isNoOp(live: JsonObject, next: JsonObject): boolean {
    const strip = (obj: JsonObject): JsonObject => {
      const meta: JsonObject = { ...metadataOf(obj) };
      delete meta['managedFields'];
      delete meta['resourceVersion'];
      return { ...obj, metadata: meta };
    };
    return deepEqual(strip(live), strip(next));
  }

  private validate(type: ResourceType, obj: JsonObject, old: JsonObject | undefined): void {
    const errors: FieldError[] = [...objectMetaErrors(obj, type.nameRule, type.namespaced), ...(type.strategy.validate?.(obj, old) ?? [])];
    if (errors.length > 0) throw invalid(type.kind, type.group, nameOf(obj), errors);
  }

  private checkFinalizersOnDeletingObject(type: ResourceType, next: JsonObject, live: JsonObject): void {
    if (deletionTimestampOf(live) === undefined) return;
    const added = finalizersOf(next).filter((f) => !finalizersOf(live).includes(f));
    if (added.length > 0) {
      throw invalid(type.kind, type.group, nameOf(next), [
        forbiddenField('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`),
      ]);
    }
  }

  checkUnknownFields(type: ResourceType, obj: JsonObject, options: WriteOptions): void {
    const pruned = type.strategy.prune?.(obj) ?? [];
    if (pruned.length === 0 || options.fieldValidation === 'Ignore') return;
    if (options.fieldValidation === 'Strict') {
      const fields = pruned.map((p) => `unknown field "${p}"`).join(', ');
      throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${fields}`);
    }
    for (const path of pruned) options.warnings.push(`unknown field "${path}"`);
  }

  private assertNamespaceOpen(type: ResourceType, namespace: string, name: string): void {
    const ns = this.store.get('core/namespaces', '', namespace);
    if (ns === undefined) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (deletionTimestampOf(ns) !== undefined) {
      throw forbidden(type, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private uniqueName(type: ResourceType, namespace: string, prefix: string): string {
    for (;;) {
      const candidate = generateName(prefix);
      if (this.getStored(type, namespace, candidate) === undefined) return candidate;
    }
  }
}
