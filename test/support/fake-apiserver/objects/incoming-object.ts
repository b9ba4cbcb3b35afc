import { randomBytes } from 'node:crypto';
import { badRequest } from '../core/api-errors.js';
import { cloneJson, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { metadataOf, mutableMetadata } from '../core/object-meta.js';
import { apiVersionOf } from '../core/resource-type.js';
import type { ResourceType } from '../core/resource-type.js';

/** Checks a request body against the endpoint it was sent to and returns a private copy. */
export function incomingObject(type: ResourceType, body: JsonValue, namespace: string): JsonObject {
  if (!isJsonObject(body)) throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: expected an object`);
  const obj = cloneJson(body);
  const expected = apiVersionOf(type);
  const apiVersion = obj['apiVersion'];
  if (apiVersion !== undefined && apiVersion !== expected) {
    throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${expected})`);
  }
  const kind = obj['kind'];
  if (kind !== undefined && kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(kind)}) does not match the expected kind (${type.kind})`);
  }
  obj['apiVersion'] = expected;
  obj['kind'] = type.kind;
  if (obj['metadata'] !== undefined && !isJsonObject(obj['metadata'])) throw badRequest('metadata must be an object');
  reconcileNamespace(type, obj, namespace);
  return obj;
}

function reconcileNamespace(type: ResourceType, obj: JsonObject, namespace: string): void {
  const meta = mutableMetadata(obj);
  if (!type.namespaced) {
    delete meta['namespace'];
    return;
  }
  const declared = meta['namespace'];
  if (typeof declared === 'string' && declared !== '' && declared !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  meta['namespace'] = namespace;
}

export function checkNameMatchesUrl(obj: JsonObject, name: string): void {
  const meta = mutableMetadata(obj);
  const declared = meta['name'];
  if (declared === undefined || declared === '') {
    meta['name'] = name;
    return;
  }
  if (declared !== name) {
    throw badRequest(`the name of the object (${String(declared)}) does not match the name on the URL (${name})`);
  }
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** metadata.generateName plus five characters from the same alphabet the real server uses. */
export function generateName(prefix: string): string {
  const bytes = randomBytes(5);
  let suffix = '';
  for (const byte of bytes) suffix += GENERATE_ALPHABET[byte % GENERATE_ALPHABET.length] ?? 'x';
  return `${prefix}${suffix}`;
}

const SERVER_OWNED = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'];

export function stripServerOwnedMetadata(obj: JsonObject, keepManagedFields: boolean): void {
  const meta = mutableMetadata(obj);
  for (const key of SERVER_OWNED) delete meta[key];
  if (!keepManagedFields) delete meta['managedFields'];
}

/** On update the server keeps identity and lifecycle metadata from the live object. */
export function carryServerOwnedMetadata(next: JsonObject, live: JsonObject, keepManagedFields: boolean): void {
  const meta = mutableMetadata(next);
  const liveMeta = metadataOf(live);
  for (const key of [...SERVER_OWNED, 'name', 'namespace', ...(keepManagedFields ? [] : ['managedFields'])]) {
    const value = liveMeta[key];
    if (value === undefined) delete meta[key];
    else meta[key] = value;
  }
}

const OMIT_WHEN_EMPTY = ['labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields'];

/** ObjectMeta round-trips through Go structs with omitempty: empty maps and lists disappear. */
export function dropEmptyMetadataCollections(obj: JsonObject): void {
  const meta = mutableMetadata(obj);
  for (const key of OMIT_WHEN_EMPTY) {
    const value = meta[key];
    if (value === null || (Array.isArray(value) && value.length === 0) || (isJsonObject(value) && Object.keys(value).length === 0)) delete meta[key];
  }
}
