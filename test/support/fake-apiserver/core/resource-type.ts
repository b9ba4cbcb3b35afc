import type { FieldError } from './field-errors.js';
import type { JsonObject, JsonValue } from './json-value.js';
import type { ReviewContext } from '../resources/review-resources.js';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
export type PatchContentType = (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES];

/** Converts between what a client of this group/version sees and what storage holds. */
export interface ObjectView {
  toStorage(obj: JsonObject): JsonObject;
  fromStorage(obj: JsonObject): JsonObject;
}

/** Per-kind hooks, the double's counterpart of a registry strategy. They work on the client's view. */
export interface ResourceStrategy {
  /** Mutates a new object before validation (defaulting, allocation). May throw ApiError. */
  prepareForCreate?(obj: JsonObject): void;
  /** Mutates an updated object before validation; `old` is the live object. */
  prepareForUpdate?(obj: JsonObject, old: JsonObject): void;
  validate?(obj: JsonObject, old: JsonObject | undefined): FieldError[];
  /** Drops undeclared fields and applies schema defaults; returns the dotted paths it dropped. */
  prune?(obj: JsonObject): string[];
}

export interface TableColumn {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export interface TableSpec {
  readonly columns: readonly TableColumn[];
  cells(obj: JsonObject, now: Date): JsonValue[];
}

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  /** Plural, lower case: the URL segment. */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  /** Objects of every view sharing this key live in one bucket (e.g. core and events.k8s.io Events). */
  readonly storageKey: string;
  readonly statusSubresource: boolean;
  readonly tracksGeneration: boolean;
  readonly allowCreateOnUpdate: boolean;
  readonly allowUnconditionalUpdate: boolean;
  readonly returnDeletedObject: boolean;
  readonly patchTypes: readonly PatchContentType[];
  /** Field selector labels beyond metadata.name / metadata.namespace, as dotted paths. */
  readonly selectableFields: readonly string[];
  readonly table: TableSpec;
  readonly view?: ObjectView;
  readonly strategy: ResourceStrategy;
  /** OpenAPI component name, e.g. io.k8s.api.core.v1.Secret. */
  readonly schemaName: string;
  /** OpenAPI v3 schema for the object (custom resources), without the GVK extension. */
  readonly openApiSchema?: JsonObject;
  /** `builtin` or the name of the CRD that serves it. */
  readonly origin: string;
  readonly nameRule: NameRule;
  /** The `scale` subresource (autoscaling/v1 Scale), when served. */
  readonly scale?: ScaleSpec;
  /** Create-only review APIs (SelfSubjectAccessReview…): answered, never stored. */
  readonly review?: (obj: JsonObject, context: ReviewContext) => JsonObject;
}

/** Where the scale subresource finds replicas and the selector (dotted paths, as in a CRD). */
export interface ScaleSpec {
  readonly specReplicasPath: readonly string[];
  readonly statusReplicasPath: readonly string[];
  /** A string field holding the serialized selector (CRDs). */
  readonly labelSelectorPath?: readonly string[];
  /** Built-in workloads: format spec.selector instead. */
  readonly formatSpecSelector?: boolean;
}

/** Which apimachinery name validation metadata.name gets. */
export type NameRule = 'subdomain' | 'label' | 'label1035' | 'pathSegment';

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
