import { isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';

/**
 * Sets of field paths, the currency of managedFields. A path ends at a scalar, a list (lists are
 * treated as atomic) or an empty map. Paths are stored as segment arrays joined with NUL.
 */
export type FieldPath = readonly string[];
export type FieldSet = Set<string>;

const SEP = '\u0000';

export function pathKey(path: FieldPath): string {
  return path.join(SEP);
}

export function keyPath(key: string): FieldPath {
  return key.split(SEP);
}

/** Identity and server-owned metadata never appear in managedFields. */
const UNMANAGED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

export type FieldScope = 'all' | 'main' | 'status';

/** The managed leaves of an object. `main` leaves status out, `status` keeps only status. */
export function leafPaths(obj: JsonObject, scope: FieldScope): FieldSet {
  const out: FieldSet = new Set();
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind' || value === null) continue;
    if (scope === 'main' && key === 'status') continue;
    if (scope === 'status' && key !== 'status') continue;
    if (key === 'metadata' && isJsonObject(value)) {
      for (const [metaKey, metaValue] of Object.entries(value)) {
        if (!UNMANAGED_METADATA.has(metaKey)) collect(['metadata', metaKey], metaValue, out);
      }
      continue;
    }
    collect([key], value, out);
  }
  return out;
}

function collect(path: string[], value: JsonValue, out: FieldSet): void {
  if (value === null) return;
  if (isJsonObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) collect([...path, key], child, out);
    return;
  }
  out.add(pathKey(path));
}

/** Encodes a set as FieldsV1 (`{"f:spec":{"f:replicas":{}}}`). */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const key of [...set].sort()) {
    let node = root;
    for (const segment of keyPath(key)) {
      const name = `f:${segment}`;
      const child = node[name];
      const next: JsonObject = isJsonObject(child) ? child : {};
      node[name] = next;
      node = next;
    }
  }
  return root;
}

/** Decodes FieldsV1; anything other than `f:` entries (k:, v:, i:) makes its parent an atomic leaf. */
export function fromFieldsV1(fields: JsonValue | undefined): FieldSet {
  const out: FieldSet = new Set();
  const walk = (node: JsonObject, path: string[]): void => {
    const children = Object.entries(node).filter(([name]) => name !== '.');
    if (children.length === 0 || children.some(([name]) => !name.startsWith('f:'))) {
      if (path.length > 0) out.add(pathKey(path));
      return;
    }
    for (const [name, child] of children) walk(isJsonObject(child) ? child : {}, [...path, name.slice(2)]);
  };
  if (isJsonObject(fields)) walk(fields, []);
  return out;
}

export function valueAt(obj: JsonObject, key: string): JsonValue | undefined {
  let current: JsonValue | undefined = obj;
  for (const segment of keyPath(key)) {
    if (!isJsonObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

/** Removes the field at `key` and any maps left empty on the way up (metadata itself stays). */
export function removeAt(obj: JsonObject, key: string): void {
  removePath(obj, keyPath(key), 0);
}

function removePath(node: JsonObject, path: FieldPath, depth: number): void {
  const segment = path[depth] ?? '';
  if (depth === path.length - 1) {
    delete node[segment];
    return;
  }
  const child = node[segment];
  if (!isJsonObject(child)) return;
  removePath(child, path, depth + 1);
  if (Object.keys(child).length === 0 && !(depth === 0 && segment === 'metadata')) delete node[segment];
}
