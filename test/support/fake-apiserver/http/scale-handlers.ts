import type { JsonResponse } from './http-io.js';
import type { JsonValue } from '../core/json-value.js';
import { applyPatch, parseBody, patchTypeOf } from '../objects/object-patcher.js';
import { writeOptions } from './request-options.js';
import type { ResolvedRequest, ResourceContext } from './resource-handler.js';
import { PATCH_TYPES } from '../core/resource-type.js';
import { scaleView, withScale } from '../resources/scale-subresource.js';

/** PUT …/scale: replicas go to the main object (which bumps its generation). */
export function updateScale(ctx: ResourceContext, request: ResolvedRequest, name: string, body: JsonValue): JsonResponse {
  const options = writeOptions(request.query, request.userAgent);
  const live = ctx.service.get(request.type, request.namespace, name);
  const next = withScale(request.type, live, body);
  const result = ctx.service.applyUpdate({ type: request.type, live, desired: next, subresource: '' }, options);
  return { status: 200, body: scaleView(request.type, result.object), warnings: options.warnings };
}

/** PATCH …/scale: the patch applies to the Scale view (what `kubectl scale` sends). */
export function patchScale(ctx: ResourceContext, request: ResolvedRequest, name: string, body: string, contentType: string): JsonResponse {
  const patchType = patchTypeOf({ contentType, type: request.type }, [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic]);
  const live = ctx.service.get(request.type, request.namespace, name);
  const scale = applyPatch(patchType, scaleView(request.type, live), parseBody(body, patchType));
  return updateScale(ctx, request, name, scale);
}
