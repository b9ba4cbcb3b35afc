import { isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';

/** RFC 7386 JSON merge patch. Never mutates `target`; untouched subtrees are shared. */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return patch;
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
