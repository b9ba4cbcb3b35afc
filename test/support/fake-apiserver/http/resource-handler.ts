import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed, routeNotFound } from '../core/api-errors.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { RbacAuthorizer } from '../auth/rbac-authorizer.js';
import type { UserInfo } from '../auth/user-info.js';
import type { RequestAttributes } from '../auth/request-attributes.js';
import { readBody } from './http-io.js';
import type { JsonResponse } from './http-io.js';
import { formatObject, listObjects } from './list-handler.js';
import type { ListContext } from './list-handler.js';
import { objectFilter } from '../objects/object-filter.js';
import type { ObjectService } from '../objects/object-service.js';
import { decodeBody } from './request-body.js';
import { listOptions } from './request-options.js';
import type { ResourcePath } from './request-path.js';
import { contentTypeFor, negotiate } from './response-format.js';
import type { ResponseFormat } from './response-format.js';
import type { ResourceRegistry } from '../core/resource-registry.js';
import type { ResourceType } from '../core/resource-type.js';
import { patchScale, updateScale } from './scale-handlers.js';
import { scaleView } from '../resources/scale-subresource.js';
import { serveWatch } from './watch-stream.js';
import type { WatchContext } from './watch-stream.js';
import { createObject, deleteCollection, deleteOne, finalizeNamespace, patchOne, requestToken, updateObject } from './write-handlers.js';

export interface ResourceContext extends ListContext, WatchContext {
  readonly registry: ResourceRegistry;
  readonly service: ObjectService;
  readonly authenticator: Authenticator;
  readonly authorizer: RbacAuthorizer;
  /** Run kube-apiserver's OwnerReferencesPermissionEnforcement admission on writes. */
  readonly ownerReferencesPermissionEnforcement: boolean;
}

/** Who is asking, and where further authorizations made for the request are noted. */
export type Caller = Pick<ResolvedRequest, 'user' | 'recordAuthorization'>;

/** Where a resource request lands once path, scope and subresource are checked. */
export interface ResolvedRequest {
  readonly type: ResourceType;
  readonly namespace: string;
  readonly name: string | undefined;
  readonly subresource: string;
  readonly allNamespaces: boolean;
  readonly query: URLSearchParams;
  readonly format: ResponseFormat;
  readonly userAgent: string | undefined;
  readonly user: UserInfo;
  /** Notes a further authorization made on the request's behalf (by admission) in the request log. */
  readonly recordAuthorization: (attributes: RequestAttributes) => void;
}

interface WriteInput {
  readonly request: ResolvedRequest;
  readonly body: Buffer;
  readonly contentType: string;
}

function subresourceServed(type: ResourceType, subresource: string): boolean {
  switch (subresource) {
    case '':
      return true;
    case 'status':
      return type.statusSubresource;
    case 'scale':
      return type.scale !== undefined;
    case 'finalize':
      return type.storageKey === 'core/namespaces';
    case 'token':
      return type.storageKey === 'core/serviceaccounts';
    default:
      return false;
  }
}

function resolve(ctx: ResourceContext, req: IncomingMessage, path: ResourcePath, query: URLSearchParams, caller: Caller): ResolvedRequest {
  const type = ctx.registry.lookup(path.group, path.version, path.resource);
  const subresource = path.subresource ?? '';
  if (type === undefined || (path.namespace !== undefined && !type.namespaced) || !subresourceServed(type, subresource)) throw routeNotFound();
  if (type.review !== undefined && (req.method !== 'POST' || path.name !== undefined)) throw methodNotAllowed();
  return {
    type,
    namespace: path.namespace ?? '',
    name: path.name,
    subresource,
    allNamespaces: type.namespaced && path.namespace === undefined,
    query,
    format: negotiate(req.headers.accept, query.get('includeObject')),
    userAgent: req.headers['user-agent'],
    user: caller.user,
    recordAuthorization: caller.recordAuthorization,
  };
}

/** Dispatches a resource request; returns undefined when the response was streamed (watch). */
export async function handleResource(ctx: ResourceContext, req: IncomingMessage, res: ServerResponse, path: ResourcePath, query: URLSearchParams, caller: Caller): Promise<JsonResponse | undefined> {
  const request = resolve(ctx, req, path, query, caller);
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return read(ctx, res, request, path.watchPrefix);
  if (path.watchPrefix) throw methodNotAllowed();
  const input: WriteInput = { request, body: await readBody(req), contentType: req.headers['content-type'] ?? '' };
  switch (method) {
    case 'POST':
      return post(ctx, input);
    case 'PUT':
      return put(ctx, input);
    case 'PATCH':
      return patch(ctx, input);
    case 'DELETE':
      return remove(ctx, input);
    default:
      throw methodNotAllowed();
  }
}

function post(ctx: ResourceContext, { request, body, contentType }: WriteInput): JsonResponse {
  if (request.subresource === 'token' && request.name !== undefined) return requestToken(ctx, request, request.name, decodeBody(body, contentType));
  if (request.name !== undefined || request.allNamespaces) throw methodNotAllowed();
  return createObject(ctx, request, decodeBody(body, contentType));
}

function put(ctx: ResourceContext, { request, body, contentType }: WriteInput): JsonResponse {
  if (request.name === undefined) throw methodNotAllowed();
  const decoded = decodeBody(body, contentType);
  if (request.subresource === 'finalize') return finalizeNamespace(ctx, request, request.name, decoded);
  if (request.subresource === 'scale') return updateScale(ctx, request, request.name, decoded);
  return updateObject(ctx, request, request.name, decoded);
}

function patch(ctx: ResourceContext, { request, body, contentType }: WriteInput): JsonResponse {
  if (request.name === undefined || request.subresource === 'finalize') throw methodNotAllowed();
  if (request.subresource === 'scale') return patchScale(ctx, request, request.name, body.toString('utf8'), contentType);
  return patchOne(ctx, request, request.name, body.toString('utf8'), contentType);
}

function remove(ctx: ResourceContext, { request, body, contentType }: WriteInput): JsonResponse {
  if (request.subresource !== '' || (request.name === undefined && request.allNamespaces)) throw methodNotAllowed();
  const decoded = decodeBody(body, contentType);
  return request.name === undefined ? deleteCollection(ctx, request, decoded) : deleteOne(ctx, request, request.name, decoded);
}

function read(ctx: ResourceContext, res: ServerResponse, request: ResolvedRequest, watchPrefix: boolean): JsonResponse | undefined {
  if (request.name !== undefined && !watchPrefix) return readOne(ctx, request, request.name);
  const options = listOptions(request.query);
  const namespace = request.allNamespaces ? undefined : request.namespace;
  const pinned = request.name === undefined ? [] : [`metadata.name=${request.name}`];
  const fieldSelector = [...pinned, ...(options.fieldSelector ? [options.fieldSelector] : [])].join(',');
  const filter = objectFilter(request.type, namespace, options.labelSelector, fieldSelector);
  if (options.watch || watchPrefix) {
    serveWatch(ctx, res, { type: request.type, namespace, options, filter, format: request.format });
    return undefined;
  }
  return listObjects(ctx, { type: request.type, namespace, options, filter, format: request.format });
}

function readOne(ctx: ResourceContext, request: ResolvedRequest, name: string): JsonResponse {
  if (request.subresource === 'finalize') throw methodNotAllowed();
  const obj = ctx.service.get(request.type, request.namespace, name);
  if (request.subresource === 'scale') return { status: 200, body: scaleView(request.type, obj) };
  return { status: 200, body: formatObject(ctx, request.type, obj, request.format), contentType: contentTypeFor(request.format, false) };
}
