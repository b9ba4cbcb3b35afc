import { parse as parseYaml } from 'yaml';
import { badRequest, conflict, notFound, STALE_OBJECT, unsupportedMediaType } from '../core/api-errors.js';
import { required, invalid } from '../core/field-errors.js';
import { checkNameMatchesUrl, incomingObject } from './incoming-object.js';
import { applyJsonPatch } from '../patch/json-patch.js';
import { cloneJson, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { scopeFor } from '../patch/managed-fields.js';
import { applyMergePatch } from '../patch/merge-patch.js';
import { nameOf, resourceVersionOf } from '../core/object-meta.js';
import type { ObjectService } from './object-service.js';
import { PATCH_TYPES } from '../core/resource-type.js';
import type { PatchContentType, ResourceType } from '../core/resource-type.js';
import { serverSideApply } from '../patch/server-side-apply.js';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch.js';
import type { WriteOptions, WriteResult } from '../core/write-options.js';

export interface PatchRequest {
  readonly type: ResourceType;
  readonly namespace: string;
  readonly name: string;
  readonly subresource: string;
  readonly contentType: string;
  readonly body: string;
  /** fieldManager query parameter exactly as sent (apply requires it). */
  readonly explicitFieldManager: string | undefined;
  readonly force: boolean;
}

export function patchTypeOf(request: Pick<PatchRequest, 'contentType' | 'type'>, accepted: readonly PatchContentType[] = request.type.patchTypes): PatchContentType {
  const mediaType = request.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const match = accepted.find((t) => t === mediaType);
  if (match === undefined) throw unsupportedMediaType(mediaType, accepted);
  return match;
}

export function parseBody(text: string, patchType: PatchContentType): JsonValue {
  try {
    const parsed: unknown = patchType === PATCH_TYPES.apply ? parseYaml(text) : JSON.parse(text);
    return (parsed ?? null) as JsonValue;
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

/** PATCH in all four content types, on the main resource or /status. */
export function patchObject(service: ObjectService, request: PatchRequest, options: WriteOptions): WriteResult<JsonObject> {
  const patchType = patchTypeOf(request);
  const body = parseBody(request.body, patchType);
  if (patchType === PATCH_TYPES.apply) return applyObject(service, request, body, options);
  const { type, namespace, name, subresource } = request;
  const stored = service.getStored(type, namespace, name);
  if (stored === undefined) throw notFound(type, name);
  const live = service.view(type, stored);
  const patched = applyPatch(patchType, live, body);
  const requested = resourceVersionOf(patched);
  if (requested !== '' && requested !== resourceVersionOf(live)) throw conflict(type, name, STALE_OBJECT);
  const incoming = incomingObject(type, patched, namespace);
  checkNameMatchesUrl(incoming, name);
  return service.applyUpdate({ type, live, desired: incoming, subresource }, options);
}

export function applyPatch(patchType: PatchContentType, live: JsonObject, body: JsonValue): JsonObject {
  const base = cloneJson(live);
  if (patchType === PATCH_TYPES.json) return applyJsonPatch(base, body);
  if (!isJsonObject(body)) throw badRequest('patch body must be a JSON object');
  if (patchType === PATCH_TYPES.strategic) return applyStrategicMergePatch(base, body);
  const merged = applyMergePatch(base, body);
  if (!isJsonObject(merged)) throw badRequest('patch replaced the object');
  return merged;
}

function applyObject(service: ObjectService, request: PatchRequest, body: JsonValue, options: WriteOptions): WriteResult<JsonObject> {
  const { type, namespace, name, subresource } = request;
  if (request.explicitFieldManager === undefined || request.explicitFieldManager === '') {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [required('fieldManager', 'is required for apply patch')]);
  }
  if (!isJsonObject(body) || typeof body['apiVersion'] !== 'string' || typeof body['kind'] !== 'string') {
    throw badRequest('error decoding YAML: Object \'Kind\' is missing in apply configuration');
  }
  const applied = incomingObject(type, body, namespace);
  checkNameMatchesUrl(applied, name);
  service.checkUnknownFields(type, applied, options);
  const writer = service.writer(type, options, subresource);
  const scope = scopeFor(subresource, type.statusSubresource);
  const stored = service.getStored(type, namespace, name);
  if (stored === undefined) {
    if (subresource !== '') throw notFound(type, name);
    const created = serverSideApply(undefined, applied, { writer, force: request.force, scope });
    return service.create(type, namespace, created, options, { presetManagedFields: true });
  }
  const live = service.view(type, stored);
  const requested = resourceVersionOf(applied);
  if (requested !== '' && requested !== resourceVersionOf(live)) throw conflict(type, nameOf(live), STALE_OBJECT);
  const merged = serverSideApply(live, applied, { writer, force: request.force, scope });
  return service.applyUpdate({ type, live, desired: merged, subresource }, options, { presetManagedFields: true });
}
