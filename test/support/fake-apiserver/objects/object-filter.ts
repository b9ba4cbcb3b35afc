import { parseFieldSelector } from './field-selector.js';
import type { FieldSelector } from './field-selector.js';
import { parseLabelSelector } from './label-selector.js';
import type { JsonObject } from '../core/json-value.js';
import { labelsOf, namespaceOf } from '../core/object-meta.js';
import type { ResourceType } from '../core/resource-type.js';

export interface ObjectFilter {
  matches(obj: JsonObject): boolean;
  readonly fieldSelector: FieldSelector;
  readonly hasSelectors: boolean;
}

/** Label selector, field selector and namespace scope of a list or watch request. */
export function objectFilter(type: ResourceType, namespace: string | undefined, labelSelector: string | null, fieldSelector: string | null): ObjectFilter {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector, type.selectableFields);
  const scoped = type.namespaced ? namespace : undefined;
  return {
    matches: (obj) => (scoped === undefined || namespaceOf(obj) === scoped) && labels(labelsOf(obj)) && fields.matches(obj),
    fieldSelector: fields,
    hasSelectors: (labelSelector ?? '') !== '' || (fieldSelector ?? '') !== '',
  };
}
