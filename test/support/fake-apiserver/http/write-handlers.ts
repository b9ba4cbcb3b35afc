import { badRequest } from '../core/api-errors.js';
import { invalid, forbiddenField } from '../core/field-errors.js';
import type { JsonResponse } from './http-io.js';
import { cloneJson, ensureObject, getPath, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { formatObject } from './list-handler.js';
import { objectFilter } from '../objects/object-filter.js';
import { deleteLive, deleteObject } from '../objects/object-deleter.js';
import { deletionTimestampOf, finalizersOf, uidOf, nameOf } from '../core/object-meta.js';
import { patchObject } from '../objects/object-patcher.js';
import { deleteOptions, listOptions, writeOptions } from './request-options.js';
import type { ResolvedRequest, ResourceContext } from './resource-handler.js';
import { contentTypeFor } from './response-format.js';
import { apiVersionOf, PATCH_TYPES } from '../core/resource-type.js';
import type { WriteOptions } from '../core/write-options.js';
import { ownerReferencesAdmission } from '../auth/owner-references-admission.js';

/** The request's write options, with the admission checks that depend on who is writing. */
function userWriteOptions(ctx: ResourceContext, request: ResolvedRequest): WriteOptions {
  const options = writeOptions(request.query, request.userAgent);
  if (!ctx.ownerReferencesPermissionEnforcement) return options;
  return { ...options, admit: ownerReferencesAdmission(request.user, ctx.authorizer, ctx.registry, request.recordAuthorization) };
}

function respond(ctx: ResourceContext, request: ResolvedRequest, status: number, obj: JsonObject, options?: WriteOptions): JsonResponse {
  return {
    status,
    body: formatObject(ctx, request.type, obj, request.format),
    contentType: contentTypeFor(request.format, false),
    ...(options === undefined ? {} : { warnings: options.warnings }),
  };
}

export function createObject(ctx: ResourceContext, request: ResolvedRequest, body: JsonValue): JsonResponse {
  const options = userWriteOptions(ctx, request);
  if (request.type.review !== undefined) {
    if (!isJsonObject(body)) throw badRequest(`${request.type.kind} body is required`);
    const context = { user: request.user, authenticator: ctx.authenticator, authorizer: ctx.authorizer };
    return { status: 201, body: request.type.review({ ...body, apiVersion: apiVersionOf(request.type), kind: request.type.kind }, context) };
  }
  const result = ctx.service.create(request.type, request.namespace, body, options);
  return respond(ctx, request, 201, result.object, options);
}

export function updateObject(ctx: ResourceContext, request: ResolvedRequest, name: string, body: JsonValue): JsonResponse {
  const options = userWriteOptions(ctx, request);
  const result = ctx.service.update({ type: request.type, namespace: request.namespace, name, subresource: request.subresource }, body, options);
  return respond(ctx, request, result.created ? 201 : 200, result.object, options);
}

export function patchOne(ctx: ResourceContext, request: ResolvedRequest, name: string, body: string, contentType: string): JsonResponse {
  const options = userWriteOptions(ctx, request);
  const force = request.query.get('force');
  const isApply = contentType.split(';')[0]?.trim().toLowerCase() === PATCH_TYPES.apply;
  if (force !== null && !isApply) {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [forbiddenField('force', 'may not be specified for non-apply patch')]);
  }
  const result = patchObject(
    ctx.service,
    {
      type: request.type,
      namespace: request.namespace,
      name,
      subresource: request.subresource,
      contentType,
      body,
      explicitFieldManager: request.query.get('fieldManager') ?? undefined,
      force: force === 'true',
    },
    options,
  );
  return respond(ctx, request, result.created ? 201 : 200, result.object, options);
}

/** A finished delete returns the object (CRs, pods, services, namespaces) or a Success Status. */
export function deleteOne(ctx: ResourceContext, request: ResolvedRequest, name: string, body: JsonValue): JsonResponse {
  const options = deleteOptions(request.query, body);
  const outcome = deleteObject(ctx.service, request.type, request.namespace, name, options);
  if (!outcome.deleted || request.type.returnDeletedObject) return respond(ctx, request, 200, outcome.object);
  return {
    status: 200,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: nameOf(outcome.object), ...(request.type.group === '' ? {} : { group: request.type.group }), kind: request.type.resource, uid: uidOf(outcome.object) },
    },
  };
}

export function deleteCollection(ctx: ResourceContext, request: ResolvedRequest, body: JsonValue): JsonResponse {
  const options = deleteOptions(request.query, body);
  const list = listOptions(request.query);
  const filter = objectFilter(request.type, request.namespace, list.labelSelector, list.fieldSelector);
  const items: JsonObject[] = [];
  for (const obj of ctx.service.list(request.type, request.namespace)) {
    if (!filter.matches(obj)) continue;
    items.push(deleteLive(ctx.service, request.type, obj, options).object);
  }
  return {
    status: 200,
    body: { kind: request.type.listKind, apiVersion: apiVersionOf(request.type), metadata: { resourceVersion: String(ctx.currentRevision()) }, items },
  };
}

/** PUT namespaces/{name}/finalize: only spec.finalizers changes; an emptied terminating namespace goes away. */
export function finalizeNamespace(ctx: ResourceContext, request: ResolvedRequest, name: string, body: JsonValue): JsonResponse {
  if (!isJsonObject(body)) throw badRequest('Namespace body is required');
  const live = ctx.service.get(request.type, '', name);
  const next = cloneJson(live);
  const finalizers = getPath(body, ['spec', 'finalizers']);
  ensureObject(next, 'spec')['finalizers'] = Array.isArray(finalizers) ? finalizers : [];
  const options = userWriteOptions(ctx, request);
  const released = deletionTimestampOf(next) !== undefined && finalizersOf(next).length === 0 && !ctx.service.isNamespaceHeld(request.type, next);
  const result = released ? ctx.service.remove(request.type, next, options) : ctx.service.commit(request.type, next, options);
  return respond(ctx, request, 200, result, options);
}

/** TokenRequest (serviceaccounts/{name}/token): a bearer token that authenticates as the ServiceAccount. */
export function requestToken(ctx: ResourceContext, request: ResolvedRequest, name: string, body: JsonValue): JsonResponse {
  ctx.service.get(request.type, request.namespace, name);
  const seconds = isJsonObject(body) ? Number(getPath(body, ['spec', 'expirationSeconds']) ?? 3600) : 3600;
  const token = ctx.authenticator.mintServiceAccountToken(request.namespace, name);
  const expiration = new Date(ctx.now().getTime() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    status: 201,
    body: {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace: request.namespace, creationTimestamp: null },
      spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: seconds, boundObjectRef: null },
      status: { token, expirationTimestamp: expiration },
    },
  };
}
