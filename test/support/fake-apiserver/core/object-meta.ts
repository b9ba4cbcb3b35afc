import { asString, ensureObject, isJsonObject } from './json-value.js';
import type { JsonObject, JsonValue } from './json-value.js';

/** Typed accessors over `metadata` of an object held as plain JSON. */

export function metadataOf(obj: JsonObject): JsonObject {
  const meta = obj['metadata'];
  return isJsonObject(meta) ? meta : {};
}

export function mutableMetadata(obj: JsonObject): JsonObject {
  return ensureObject(obj, 'metadata');
}

export function nameOf(obj: JsonObject): string {
  return asString(metadataOf(obj)['name']) ?? '';
}

export function namespaceOf(obj: JsonObject): string {
  return asString(metadataOf(obj)['namespace']) ?? '';
}

export function uidOf(obj: JsonObject): string {
  return asString(metadataOf(obj)['uid']) ?? '';
}

export function resourceVersionOf(obj: JsonObject): string {
  return asString(metadataOf(obj)['resourceVersion']) ?? '';
}

export function deletionTimestampOf(obj: JsonObject): string | undefined {
  return asString(metadataOf(obj)['deletionTimestamp']);
}

export function stringMapOf(value: JsonValue | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isJsonObject(value)) return result;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string') result[key] = entry;
  }
  return result;
}

export function labelsOf(obj: JsonObject): Record<string, string> {
  return stringMapOf(metadataOf(obj)['labels']);
}

export function finalizersOf(obj: JsonObject): string[] {
  const value = metadataOf(obj)['finalizers'];
  return Array.isArray(value) ? value.filter((f): f is string => typeof f === 'string') : [];
}

export function setFinalizers(obj: JsonObject, finalizers: readonly string[]): void {
  const meta = mutableMetadata(obj);
  if (finalizers.length === 0) delete meta['finalizers'];
  else meta['finalizers'] = [...finalizers];
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export function ownerReferencesOf(obj: JsonObject): OwnerReference[] {
  const value = metadataOf(obj)['ownerReferences'];
  if (!Array.isArray(value)) return [];
  const refs: OwnerReference[] = [];
  for (const entry of value) {
    if (!isJsonObject(entry)) continue;
    const uid = asString(entry['uid']);
    if (uid === undefined) continue;
    refs.push({
      apiVersion: asString(entry['apiVersion']) ?? '',
      kind: asString(entry['kind']) ?? '',
      name: asString(entry['name']) ?? '',
      uid,
    });
  }
  return refs;
}

/** RFC 3339 with whole seconds, the way metav1.Time serialises. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with microseconds, the way metav1.MicroTime serialises. */
export function formatMicroTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
