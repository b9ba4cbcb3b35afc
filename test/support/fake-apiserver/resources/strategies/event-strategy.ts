import { immutable, invalidValue, notSupported, required, tooLong } from '../../core/field-errors.js';
import type { FieldError } from '../../core/field-errors.js';
import { deepEqual, getPath, isJsonObject } from '../../core/json-value.js';
import type { JsonObject, JsonValue } from '../../core/json-value.js';
import { namespaceOf } from '../../core/object-meta.js';
import type { ObjectView, ResourceStrategy } from '../../core/resource-type.js';

/** events.k8s.io/v1 field ↔ core/v1 field; both APIs are views of one storage (core/v1 form). */
const RENAMES: ReadonlyArray<readonly [string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: JsonObject, pairs: ReadonlyArray<readonly [string, string]>, apiVersion: string): JsonObject {
  const out: JsonObject = { ...obj, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    delete out[from];
    const value = obj[from];
    if (value !== undefined) out[to] = value;
  }
  return out;
}

export const eventsV1View: ObjectView = {
  toStorage: (obj) => rename(obj, RENAMES, 'v1'),
  fromStorage: (obj) =>
    rename(
      obj,
      RENAMES.map(([a, b]) => [b, a] as const),
      'events.k8s.io/v1',
    ),
};

function involvedNamespaceErrors(obj: JsonObject, field: string): FieldError[] {
  const involved = obj[field];
  if (!isJsonObject(involved)) return [];
  const namespace = involved['namespace'];
  if (typeof namespace === 'string' && namespace !== '' && namespace !== namespaceOf(obj)) {
    return [invalidValue(`${field}.namespace`, namespace, 'does not match event.namespace')];
  }
  return [];
}

export const coreEventStrategy: ResourceStrategy = {
  validate: (obj) => involvedNamespaceErrors(obj, 'involvedObject'),
};

const REQUIRED_V1 = ['eventTime', 'reportingController', 'reportingInstance', 'action', 'reason'] as const;
const IMMUTABLE_V1 = ['action', 'reason', 'regarding', 'related', 'reportingController', 'reportingInstance', 'type', 'note', 'eventTime'];

function lengthErrors(obj: JsonObject, field: string, max: number): FieldError[] {
  const value = obj[field];
  return typeof value === 'string' && value.length > max ? [tooLong(field, max)] : [];
}

function validateV1(obj: JsonObject, old: JsonObject | undefined): FieldError[] {
  if (old !== undefined) {
    return IMMUTABLE_V1.filter((f) => !deepEqual(obj[f], old[f])).map((f) => immutable(f, obj[f] ?? null));
  }
  const errors: FieldError[] = [];
  for (const field of REQUIRED_V1) {
    if (obj[field] === undefined || obj[field] === '' || obj[field] === null) errors.push(required(field));
  }
  const type: JsonValue | undefined = obj['type'];
  if (type !== 'Normal' && type !== 'Warning') errors.push(notSupported('type', type ?? '', ['Normal', 'Warning']));
  const seriesCount = getPath(obj, ['series', 'count']);
  if (obj['series'] !== undefined && (typeof seriesCount !== 'number' || seriesCount < 2)) {
    errors.push(invalidValue('series.count', seriesCount ?? null, 'should be at least 2'));
  }
  errors.push(...lengthErrors(obj, 'note', 1024), ...lengthErrors(obj, 'action', 128), ...lengthErrors(obj, 'reason', 128));
  errors.push(...involvedNamespaceErrors(obj, 'regarding'));
  return errors;
}

export const eventsV1Strategy: ResourceStrategy = { validate: validateV1 };
