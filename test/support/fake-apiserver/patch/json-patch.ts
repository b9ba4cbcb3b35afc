import { ApiError, badRequest } from '../core/api-errors.js';
import { cloneJson, deepEqual, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';

interface Operation {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: JsonValue;
}

function unprocessable(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

/** RFC 6902 JSON patch on a copy of `document`. Malformed patches are 400, failing ones 422. */
export function applyJsonPatch(document: JsonObject, patch: JsonValue): JsonObject {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc: JsonValue = cloneJson(document);
  for (const raw of patch) doc = applyOperation(doc, parseOperation(raw));
  if (!isJsonObject(doc)) throw unprocessable('the patch replaced the whole object with a non-object');
  return doc;
}

function parseOperation(raw: JsonValue): Operation {
  if (!isJsonObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
    throw badRequest('invalid JSON patch operation: op and path are required');
  }
  const op: Operation = { op: raw['op'], path: raw['path'] };
  const from = raw['from'];
  return {
    ...op,
    ...(typeof from === 'string' ? { from } : {}),
    ...(Object.hasOwn(raw, 'value') ? { value: raw['value'] ?? null } : {}),
  };
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueOf(op: Operation): JsonValue {
  if (op.value === undefined) throw badRequest(`missing value for ${op.op} operation`);
  return op.value;
}

function applyOperation(doc: JsonValue, op: Operation): JsonValue {
  switch (op.op) {
    case 'add':
      return insert(doc, pointer(op.path), cloneJson(valueOf(op)));
    case 'remove':
      return removeAt(doc, pointer(op.path)).doc;
    case 'replace':
      return insert(removeAt(doc, pointer(op.path)).doc, pointer(op.path), cloneJson(valueOf(op)));
    case 'move': {
      const removed = removeAt(doc, pointer(fromOf(op)));
      return insert(removed.doc, pointer(op.path), removed.value);
    }
    case 'copy':
      return insert(doc, pointer(op.path), cloneJson(read(doc, pointer(fromOf(op)))));
    case 'test':
      if (!deepEqual(read(doc, pointer(op.path)), valueOf(op))) throw unprocessable(`testing value ${op.path} failed: test failed`);
      return doc;
    default:
      throw badRequest(`Unexpected kind: ${op.op}`);
  }
}

function fromOf(op: Operation): string {
  if (op.from === undefined) throw badRequest(`missing from for ${op.op} operation`);
  return op.from;
}

function read(doc: JsonValue, path: readonly string[]): JsonValue {
  let current: JsonValue = doc;
  for (const segment of path) {
    const next: JsonValue | undefined = Array.isArray(current)
      ? current[arrayIndex(segment, current.length - 1)]
      : isJsonObject(current)
        ? current[segment]
        : undefined;
    if (next === undefined) throw unprocessable(`doc is missing path: ${'/' + path.join('/')}`);
    current = next;
  }
  return current;
}

function arrayIndex(segment: string, max: number): number {
  if (!/^(0|[1-9]\d*)$/.test(segment)) throw unprocessable(`invalid array index: ${segment}`);
  const index = Number(segment);
  if (index > max) throw unprocessable(`array index out of bounds: ${segment}`);
  return index;
}

function insert(doc: JsonValue, path: readonly string[], value: JsonValue): JsonValue {
  if (path.length === 0) return value;
  const parent = read(doc, path.slice(0, -1));
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : arrayIndex(last, parent.length);
    parent.splice(index, 0, value);
  } else if (isJsonObject(parent)) {
    parent[last] = value;
  } else {
    throw unprocessable(`doc is missing path: /${path.join('/')}`);
  }
  return doc;
}

function removeAt(doc: JsonValue, path: readonly string[]): { doc: JsonValue; value: JsonValue } {
  if (path.length === 0) throw unprocessable('cannot remove the whole document');
  const parent = read(doc, path.slice(0, -1));
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length - 1);
    const [value] = parent.splice(index, 1);
    return { doc, value: value ?? null };
  }
  if (isJsonObject(parent) && Object.hasOwn(parent, last)) {
    const value = parent[last] ?? null;
    delete parent[last];
    return { doc, value };
  }
  throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`);
}
