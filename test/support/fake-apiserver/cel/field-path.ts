import { isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';

/**
 * ValidFieldPath: a rule's `fieldPath` (`.spec.a`, `.spec['x.y']`, map keys on additionalProperties)
 * checked against the schema and rendered as a field.Path string; undefined when invalid.
 */
export function validFieldPath(jsonPath: string, schema: JsonObject): string | undefined {
  const tokens = tokenize(jsonPath);
  if (tokens === undefined) return undefined;
  let node: JsonObject | undefined = schema;
  let path = '';
  for (const token of tokens) {
    if (node === undefined) return undefined;
    const properties: JsonValue | undefined = node['properties'];
    const additional: JsonValue | undefined = node['additionalProperties'];
    if (isJsonObject(properties)) {
      const next: JsonValue | undefined = properties[token.name];
      if (!isJsonObject(next)) return undefined;
      node = next;
      path = path === '' ? token.name : `${path}.${token.name}`;
    } else if (isJsonObject(additional)) {
      node = additional;
      path = `${path}[${token.name}]`;
    } else {
      return undefined;
    }
  }
  return path;
}

function tokenize(jsonPath: string): { name: string }[] | undefined {
  const out: { name: string }[] = [];
  let rest = jsonPath;
  while (rest !== '') {
    const dotted = /^\.([^.[\]]+)/.exec(rest);
    const bracketed = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest);
    const match = dotted ?? bracketed;
    if (match === null) return undefined;
    out.push({ name: bracketed === null ? match[1]! : match[1]!.replace(/\\(.)/g, '$1') });
    rest = rest.slice(match[0].length);
  }
  return out;
}
