import { badRequest } from '../core/api-errors.js';
import { deepEqual, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';

/**
 * Strategic merge patch for built-in kinds, driven by field names instead of Go struct tags: the
 * keyed lists of core/v1 and apps/v1 merge by their patchMergeKey, `finalizers` merges as a set,
 * every other list is replaced. Supports $patch (replace/delete), $retainKeys, $setElementOrder
 * and $deleteFromPrimitiveList, which kubectl's three-way patches use.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};

const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, items: readonly JsonValue[]): string | undefined {
  if (field === 'ports') {
    return items.some((i) => isJsonObject(i) && i['containerPort'] !== undefined) ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

export function applyStrategicMergePatch(original: JsonObject, patch: JsonValue): JsonObject {
  if (!isJsonObject(patch)) throw badRequest('strategic merge patch must be a JSON object');
  const merged = mergeMap(original, patch);
  return merged ?? {};
}

/** Returns undefined when the patch deletes the map itself ($patch: delete). */
function mergeMap(original: JsonObject, patch: JsonObject): JsonObject | undefined {
  const directive = patch['$patch'];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return withoutDirectives(patch);
  let result: JsonObject = { ...original };
  const retain = patch['$retainKeys'];
  if (Array.isArray(retain)) result = retainKeys(result, retain);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const merged = mergeField(key, result[key], value, patch);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }
  applyPrimitiveDeletions(result, patch);
  applyElementOrders(result, patch);
  return result;
}

function mergeField(key: string, current: JsonValue | undefined, value: JsonValue, patch: JsonObject): JsonValue | undefined {
  if (isJsonObject(value)) return mergeMap(isJsonObject(current) ? current : {}, value);
  if (Array.isArray(value)) return mergeList(key, Array.isArray(current) ? current : [], value, patch);
  return value;
}

function mergeList(field: string, current: JsonValue[], patch: JsonValue[], parent: JsonObject): JsonValue[] {
  if (patch.some((item) => isJsonObject(item) && item['$patch'] === 'replace')) {
    return patch.filter((item) => !(isJsonObject(item) && item['$patch'] === 'replace'));
  }
  const key = mergeKeyFor(field, [...current, ...patch]);
  if (key !== undefined) return mergeKeyedList(current, patch, key);
  if (MERGED_PRIMITIVE_LISTS.has(field) || Array.isArray(parent[`$setElementOrder/${field}`])) {
    return [...current, ...patch.filter((item) => !current.some((c) => deepEqual(c, item)))];
  }
  return patch;
}

function mergeKeyedList(current: JsonValue[], patch: JsonValue[], key: string): JsonValue[] {
  const result = [...current];
  for (const item of patch) {
    if (!isJsonObject(item)) {
      result.push(item);
      continue;
    }
    const index = result.findIndex((c) => isJsonObject(c) && deepEqual(c[key], item[key]));
    if (item['$patch'] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const existing = index >= 0 ? result[index] : undefined;
    const merged = mergeMap(isJsonObject(existing) ? existing : {}, item);
    if (merged === undefined) {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = merged;
    } else {
      result.push(merged);
    }
  }
  return result;
}

function retainKeys(map: JsonObject, keys: readonly JsonValue[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    if (typeof key === 'string' && Object.hasOwn(map, key)) out[key] = map[key] ?? null;
  }
  return out;
}

function applyPrimitiveDeletions(result: JsonObject, patch: JsonObject): void {
  for (const [directive, values] of Object.entries(patch)) {
    if (!directive.startsWith('$deleteFromPrimitiveList/') || !Array.isArray(values)) continue;
    const field = directive.slice('$deleteFromPrimitiveList/'.length);
    const list = result[field];
    if (Array.isArray(list)) result[field] = list.filter((item) => !values.some((v) => deepEqual(v, item)));
  }
}

function applyElementOrders(result: JsonObject, patch: JsonObject): void {
  for (const [directive, order] of Object.entries(patch)) {
    if (!directive.startsWith('$setElementOrder/') || !Array.isArray(order)) continue;
    const field = directive.slice('$setElementOrder/'.length);
    const list = result[field];
    if (!Array.isArray(list)) continue;
    const key = mergeKeyFor(field, list);
    const rank = (item: JsonValue): number => {
      const index = order.findIndex((o) =>
        key !== undefined && isJsonObject(o) && isJsonObject(item) ? deepEqual(o[key], item[key]) : deepEqual(o, item),
      );
      return index < 0 ? order.length : index;
    };
    result[field] = [...list].sort((a, b) => rank(a) - rank(b));
  }
}

function withoutDirectives(map: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(map)) if (!key.startsWith('$')) out[key] = value;
  return out;
}
