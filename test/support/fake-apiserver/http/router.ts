import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, internalError, isApiError, methodNotAllowed, notAcceptable, routeNotFound } from '../core/api-errors.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { RbacAuthorizer } from '../auth/rbac-authorizer.js';
import { forbiddenMessage, requestAttributes } from '../auth/request-attributes.js';
import type { RequestAttributes } from '../auth/request-attributes.js';
import type { UserInfo } from '../auth/user-info.js';
import { wantsAggregated } from './discovery.js';
import type { Discovery } from './discovery.js';
import { sendJson, sendStatus } from './http-io.js';
import type { JsonResponse } from './http-io.js';
import type { OpenApi } from './openapi.js';
import type { RequestLog } from './request-log.js';
import { parseApiPath } from './request-path.js';
import type { ApiPath } from './request-path.js';
import { handleResource } from './resource-handler.js';
import type { ResourceContext } from './resource-handler.js';

export interface RouterContext {
  readonly authenticator: Authenticator;
  readonly authorizer: RbacAuthorizer;
  readonly discovery: Discovery;
  readonly openapi: OpenApi;
  readonly resources: ResourceContext;
  readonly requestLog: RequestLog;
  readonly aggregatedDiscovery: boolean;
}

const ROOT_PATHS = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v2', '/openapi/v3', '/readyz', '/version'];

/** Authenticates, logs and routes every request: discovery, OpenAPI, health, or a resource. */
export async function route(ctx: RouterContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const logged = ctx.requestLog.record({
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.search.replace(/^\?/, ''),
    contentType: req.headers['content-type'],
    accept: req.headers.accept,
    userAgent: req.headers['user-agent'],
  });
  res.on('finish', () => logged.finished(res.statusCode));
  try {
    const path = parseApiPath(url.pathname);
    const attributes = requestAttributes(req.method ?? 'GET', url.pathname, path, url.searchParams);
    const authenticated = ctx.authenticator.authenticate(req.headers);
    logged.identified(authenticated.username, attributes);
    const user = ctx.authenticator.impersonate(authenticated, req.headers, ctx.authorizer);
    logged.identified(user.username, attributes);
    authorize(ctx, user, attributes);
    if (path.kind === 'health') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    const response = path.kind === 'resource' ? await handleResource(ctx.resources, req, res, path, url.searchParams, { user, recordAuthorization: (attributes) => logged.alsoAuthorized(attributes) }) : nonResource(ctx, req, path);
    if (response !== undefined) sendJson(res, response);
  } catch (error) {
    sendStatus(res, isApiError(error) ? error : internalError(error instanceof Error ? error.message : String(error)));
  }
}

/** 403 Forbidden, worded as kube-apiserver words it, unless RBAC (or system:masters) allows. */
function authorize(ctx: RouterContext, user: UserInfo, attributes: RequestAttributes): void {
  if (ctx.authorizer.authorize(user, attributes).allowed) return;
  const message = forbiddenMessage(user.username, attributes);
  if (attributes.kind === 'nonResource') throw new ApiError(403, 'Forbidden', `forbidden: ${message}`, {});
  const qualified = attributes.group === '' ? attributes.resource : `${attributes.resource}.${attributes.group}`;
  const subject = attributes.name === '' ? qualified : `${qualified} ${JSON.stringify(attributes.name)}`;
  throw new ApiError(403, 'Forbidden', `${subject} is forbidden: ${message}`, { name: attributes.name, group: attributes.group, kind: attributes.resource });
}

function nonResource(ctx: RouterContext, req: IncomingMessage, path: Exclude<ApiPath, { kind: 'resource' } | { kind: 'health' }>): JsonResponse {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed();
  const aggregated = ctx.aggregatedDiscovery && wantsAggregated(req.headers.accept);
  switch (path.kind) {
    case 'root':
      return { status: 200, body: { paths: ROOT_PATHS } };
    case 'version':
      return ctx.discovery.version();
    case 'coreVersions':
      return ctx.discovery.coreVersions(aggregated);
    case 'groupList':
      return ctx.discovery.groupList(aggregated);
    case 'group':
      return ctx.discovery.group(path.group);
    case 'resourceList':
      return ctx.discovery.resourceList(path.group, path.version);
    case 'openapiV2':
      if (!acceptsJson(req.headers.accept)) throw notAcceptable(['application/json']);
      return ctx.openapi.v2Document();
    case 'openapiV3Index':
      return ctx.openapi.v3Index();
    case 'openapiV3':
      return ctx.openapi.v3Document(path.gvPath);
    case 'unknown':
      throw routeNotFound();
  }
}

function acceptsJson(accept: string | undefined): boolean {
  return accept === undefined || accept === '' || /application\/json|\*\/\*/.test(accept);
}
