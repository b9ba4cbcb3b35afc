import { cloneJson, isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import type { ResourceType } from '../core/resource-type.js';

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function ref(name: string, prefix: string): JsonObject {
  return { $ref: `${prefix}${name}` };
}

function gvk(type: ResourceType, kind: string): JsonObject[] {
  return [{ group: type.group, version: type.version, kind }];
}

const STRING = { type: 'string' };
const OPEN_OBJECT = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** The shared meta.k8s.io schemas every group-version document references. */
export function metaSchemas(prefix: string): Record<string, JsonObject> {
  return {
    [`${META}.ObjectMeta`]: {
      type: 'object',
      description: 'ObjectMeta is metadata that all persisted resources must have.',
      properties: {
        name: STRING,
        generateName: STRING,
        namespace: STRING,
        uid: STRING,
        resourceVersion: STRING,
        generation: { type: 'integer', format: 'int64' },
        creationTimestamp: ref(`${META}.Time`, prefix),
        deletionTimestamp: ref(`${META}.Time`, prefix),
        labels: { type: 'object', additionalProperties: { type: 'string', default: '' } },
        annotations: { type: 'object', additionalProperties: { type: 'string', default: '' } },
        finalizers: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'set' },
        ownerReferences: { type: 'array', items: OPEN_OBJECT },
        managedFields: { type: 'array', items: OPEN_OBJECT },
      },
    },
    [`${META}.ListMeta`]: { type: 'object', properties: { resourceVersion: STRING, continue: STRING, remainingItemCount: { type: 'integer', format: 'int64' } } },
    [`${META}.Time`]: { type: 'string', format: 'date-time' },
    [`${META}.Patch`]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
    [`${META}.Status`]: { type: 'object', properties: { apiVersion: STRING, kind: STRING, status: STRING, message: STRING, reason: STRING, code: { type: 'integer', format: 'int32' } } },
    [`${META}.DeleteOptions`]: { type: 'object', properties: { propagationPolicy: STRING, dryRun: { type: 'array', items: STRING }, gracePeriodSeconds: { type: 'integer', format: 'int64' } } },
  };
}

/** The object schema: a CRD's openAPIV3Schema, or an open object for built-ins. */
export function kindSchema(type: ResourceType, prefix: string): JsonObject {
  const base: JsonObject = type.openApiSchema === undefined ? { type: 'object', properties: { spec: OPEN_OBJECT, status: OPEN_OBJECT, data: OPEN_OBJECT } } : cloneJson(type.openApiSchema);
  const properties = isJsonObject(base['properties']) ? base['properties'] : {};
  base['properties'] = {
    ...properties,
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { allOf: [ref(`${META}.ObjectMeta`, prefix)], default: {} },
  };
  base['description'] ??= `${type.kind} (served by the fake API server).`;
  base['x-kubernetes-group-version-kind'] = gvk(type, type.kind);
  return base;
}

export function listSchema(type: ResourceType, prefix: string): JsonObject {
  return {
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: STRING,
      kind: STRING,
      items: { type: 'array', items: ref(type.schemaName, prefix) },
      metadata: { allOf: [ref(`${META}.ListMeta`, prefix)], default: {} },
    },
    'x-kubernetes-group-version-kind': gvk(type, type.listKind),
  };
}
