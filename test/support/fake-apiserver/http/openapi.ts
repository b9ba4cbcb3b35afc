import { createHash } from 'node:crypto';
import { routeNotFound } from '../core/api-errors.js';
import type { JsonResponse } from './http-io.js';
import type { JsonObject } from '../core/json-value.js';
import { kindSchema, listSchema, META, metaSchemas } from './openapi-schemas.js';
import type { ResourceRegistry } from '../core/resource-registry.js';
import { PATCH_TYPES } from '../core/resource-type.js';
import type { ResourceType } from '../core/resource-type.js';

const V3_PREFIX = '#/components/schemas/';
const V2_PREFIX = '#/definitions/';

function queryParam(name: string, type: string): JsonObject {
  return { name, in: 'query', description: `${name} (see the Kubernetes API conventions)`, schema: { type, uniqueItems: true } };
}

const WRITE_PARAMS = [queryParam('dryRun', 'string'), queryParam('fieldManager', 'string'), queryParam('fieldValidation', 'string')];

function gvkOf(type: ResourceType): JsonObject {
  return { group: type.group, version: type.version, kind: type.kind };
}

function content(schemaRef: string, types: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const t of types) out[t] = { schema: { $ref: schemaRef } };
  return out;
}

function operation(type: ResourceType, action: string, id: string, extra: JsonObject = {}): JsonObject {
  const responseRef = action === 'list' ? `${V3_PREFIX}${type.schemaName}List` : `${V3_PREFIX}${type.schemaName}`;
  return {
    operationId: id,
    responses: { '200': { description: 'OK', content: content(responseRef, ['application/json', 'application/yaml']) }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvkOf(type),
    ...extra,
  };
}

/**
 * Patch content types advertised per resource. Strategic merge is deliberately not advertised: the
 * double's schemas carry no patch-merge-key metadata, so kubectl falls back to its compiled-in
 * types for built-ins (and JSON merge patch for custom resources), as with a server without it.
 */
function patchOperation(type: ResourceType, id: string): JsonObject {
  const types = type.patchTypes.filter((t) => t !== PATCH_TYPES.strategic);
  return operation(type, 'patch', id, {
    parameters: [...WRITE_PARAMS, queryParam('force', 'boolean')],
    requestBody: { content: content(`${V3_PREFIX}${META}.Patch`, types), required: true },
  });
}

function pathsFor(type: ResourceType, prefix: string): Record<string, JsonObject> {
  const id = `${type.group.replace(/\W/g, '')}${type.version}${type.kind}`;
  const collection = type.namespaced ? `${prefix}/namespaces/{namespace}/${type.resource}` : `${prefix}/${type.resource}`;
  const body = { requestBody: { content: content(`${V3_PREFIX}${type.schemaName}`, ['application/json', 'application/yaml']), required: true } };
  const paths: Record<string, JsonObject> = {
    [collection]: {
      get: operation(type, 'list', `list${id}`),
      post: operation(type, 'post', `create${id}`, { parameters: WRITE_PARAMS, ...body }),
      delete: operation(type, 'deletecollection', `deletecollection${id}`),
    },
    [`${collection}/{name}`]: {
      get: operation(type, 'get', `read${id}`),
      put: operation(type, 'put', `replace${id}`, { parameters: WRITE_PARAMS, ...body }),
      patch: patchOperation(type, `patch${id}`),
      delete: operation(type, 'delete', `delete${id}`),
    },
  };
  if (type.statusSubresource) {
    paths[`${collection}/{name}/status`] = {
      get: operation(type, 'get', `read${id}Status`),
      put: operation(type, 'put', `replace${id}Status`, { parameters: WRITE_PARAMS, ...body }),
      patch: patchOperation(type, `patch${id}Status`),
    };
  }
  return paths;
}

/** Swagger 2.0 shape: enough for the v2 query-parameter verifier (PATCH + fieldValidation). */
function v2PathsFor(type: ResourceType): Record<string, JsonObject> {
  const base = `/${gvPathOf(type)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.resource}/{name}`;
  const v2Param = (name: string, kind: string): JsonObject => ({ name, in: 'query', type: kind, uniqueItems: true });
  return {
    [base]: {
      patch: {
        operationId: `patch${type.group.replace(/\W/g, '')}${type.version}${type.kind}`,
        consumes: type.patchTypes.filter((t) => t !== PATCH_TYPES.strategic),
        produces: ['application/json', 'application/yaml'],
        parameters: [
          { name: 'body', in: 'body', required: true, schema: { $ref: `${V2_PREFIX}${META}.Patch` } },
          v2Param('dryRun', 'string'),
          v2Param('fieldManager', 'string'),
          v2Param('fieldValidation', 'string'),
          v2Param('force', 'boolean'),
        ],
        responses: { '200': { description: 'OK', schema: { $ref: `${V2_PREFIX}${type.schemaName}` } } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvkOf(type),
      },
    },
  };
}

function gvPathOf(type: ResourceType): string {
  return type.group === '' ? `api/${type.version}` : `apis/${type.group}/${type.version}`;
}

/** /openapi/v2 and /openapi/v3, rebuilt whenever the registry changes (CRDs come and go). */
export class OpenApi {
  private cachedAt = -1;
  private documents = new Map<string, { doc: JsonObject; hash: string }>();

  constructor(private readonly registry: ResourceRegistry) {}

  v3Index(): JsonResponse {
    const paths: JsonObject = {};
    for (const [gvPath, entry] of this.current()) paths[gvPath] = { serverRelativeURL: `/openapi/v3/${gvPath}?hash=${entry.hash}` };
    return { status: 200, body: { paths } };
  }

  v3Document(gvPath: string): JsonResponse {
    const entry = this.current().get(gvPath);
    if (entry === undefined) throw routeNotFound();
    return { status: 200, body: entry.doc, headers: { Etag: `"${entry.hash}"` } };
  }

  v2Document(): JsonResponse {
    const definitions: JsonObject = { ...metaSchemas(V2_PREFIX) };
    const paths: JsonObject = {};
    for (const type of this.registry.all()) {
      definitions[type.schemaName] = kindSchema(type, V2_PREFIX);
      definitions[`${type.schemaName}List`] = listSchema(type, V2_PREFIX);
      Object.assign(paths, v2PathsFor(type));
    }
    return { status: 200, body: { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.35.0' }, paths, definitions } };
  }

  private current(): Map<string, { doc: JsonObject; hash: string }> {
    if (this.cachedAt === this.registry.generation) return this.documents;
    const byGv = new Map<string, ResourceType[]>();
    for (const type of this.registry.all()) byGv.set(gvPathOf(type), [...(byGv.get(gvPathOf(type)) ?? []), type]);
    this.documents = new Map();
    for (const [gvPath, types] of [...byGv.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const doc = this.build(gvPath, types);
      const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
      this.documents.set(gvPath, { doc, hash });
    }
    this.cachedAt = this.registry.generation;
    return this.documents;
  }

  private build(gvPath: string, types: readonly ResourceType[]): JsonObject {
    const schemas: JsonObject = { ...metaSchemas(V3_PREFIX) };
    const paths: JsonObject = {};
    for (const type of types) {
      schemas[type.schemaName] = kindSchema(type, V3_PREFIX);
      schemas[`${type.schemaName}List`] = listSchema(type, V3_PREFIX);
      for (const [path, item] of Object.entries(pathsFor(type, `/${gvPath}`))) paths[path] = item;
    }
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.35.0' }, paths, components: { schemas } };
  }
}
