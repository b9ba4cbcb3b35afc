import { conflict, notFound, STALE_OBJECT } from '../core/api-errors.js';
import { cloneJson, ensureObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { deletionTimestampOf, finalizersOf, metadataOf, mutableMetadata, nameOf, resourceVersionOf, setFinalizers, uidOf } from '../core/object-meta.js';
import type { ObjectService } from './object-service.js';
import type { ResourceType } from '../core/resource-type.js';
import type { DeleteOptions } from '../core/write-options.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface DeleteOutcome {
  /** The tombstone when deleted, else the object now carrying deletionTimestamp. */
  readonly object: JsonObject;
  readonly deleted: boolean;
}

export function deleteObject(service: ObjectService, type: ResourceType, namespace: string, name: string, options: DeleteOptions): DeleteOutcome {
  const stored = service.getStored(type, namespace, name);
  if (stored === undefined) throw notFound(type, name);
  const live = service.view(type, stored);
  checkPreconditions(type, live, options);
  return deleteLive(service, type, live, options);
}

function checkPreconditions(type: ResourceType, live: JsonObject, options: DeleteOptions): void {
  const uid = options.preconditionUid;
  if (uid !== undefined && uid !== uidOf(live)) {
    throw conflict(type, nameOf(live), `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${uidOf(live)}`);
  }
  const rv = options.preconditionResourceVersion;
  if (rv !== undefined && rv !== resourceVersionOf(live)) throw conflict(type, nameOf(live), STALE_OBJECT);
}

function gcFinalizer(options: DeleteOptions): string | undefined {
  if (options.propagationPolicy === 'Foreground') return FOREGROUND_FINALIZER;
  if (options.propagationPolicy === 'Orphan') return ORPHAN_FINALIZER;
  return undefined;
}

/**
 * Deletes at once when nothing holds the object; otherwise stamps deletionTimestamp (bumping
 * generation) and leaves the rest to whoever owns the finalizers.
 */
export function deleteLive(service: ObjectService, type: ResourceType, live: JsonObject, options: DeleteOptions): DeleteOutcome {
  const finalizers = finalizersOf(live);
  const extra = gcFinalizer(options);
  const wanted = extra !== undefined && !finalizers.includes(extra) ? [...finalizers, extra] : finalizers;
  if (wanted.length === 0 && !service.isNamespaceHeld(type, live)) {
    return { object: service.remove(type, live, options), deleted: true };
  }
  const deleting = deletionTimestampOf(live) !== undefined;
  if (deleting && wanted.length === finalizers.length) return { object: live, deleted: false };
  const next = cloneJson(live);
  const meta = mutableMetadata(next);
  if (!deleting) {
    meta['deletionTimestamp'] = service.timestamp();
    meta['deletionGracePeriodSeconds'] = 0;
    if (type.tracksGeneration) meta['generation'] = Number(metadataOf(live)['generation'] ?? 0) + 1;
  }
  setFinalizers(next, wanted);
  if (type.storageKey === 'core/namespaces') ensureObject(next, 'status')['phase'] = 'Terminating';
  return { object: service.commit(type, next, options), deleted: false };
}
