import { isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';

/**
 * The CEL view of a structural schema node, as kube-apiserver derives it (SchemaDeclType): which CEL
 * type a value has, which fields an object exposes (escaped names), and the size bounds the cost
 * estimator uses.
 */
export type DeclKind = 'object' | 'map' | 'list' | 'string' | 'bytes' | 'duration' | 'timestamp' | 'int' | 'double' | 'bool' | 'dyn';

export interface DeclField {
  /** The property name in JSON. */
  readonly jsonName: string;
  readonly type: DeclType;
}

export interface DeclType {
  readonly kind: DeclKind;
  /** Object fields by their CEL (escaped) name. */
  readonly fields: ReadonlyMap<string, DeclField>;
  readonly elem: DeclType | undefined;
  /** Bound on string length (in bytes), list items or map entries; 0 for scalars and objects. */
  readonly maxElements: number;
  readonly minSerializedSize: number;
  readonly schema: JsonObject;
}

/** celconfig.MaxRequestSizeBytes: 3 MiB. */
export const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;
const MAX_DURATION_SIZE_JSON = 32;
const MAX_DATETIME_SIZE_JSON = 32;
const JSON_DATE_SIZE = 12;
const MIN_DURATION_SIZE_JSON = 3;
const MIN_DATETIME_SIZE_JSON = 21;
const MIN_STRING_SIZE = 2;
const MIN_BOOL_SIZE = 4;
const MIN_NUMBER_SIZE = 1;

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const ESCAPES: Readonly<Record<string, string>> = { __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' };

/** apiserver/pkg/cel.Escape: the CEL identifier of a property name, or undefined when it has none. */
export function escapeProperty(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  const escaped = name.replace(/__|[-./]/g, (match) => ESCAPES[match] ?? '');
  return /^[_a-zA-Z][_a-zA-Z0-9]*$/.test(escaped) ? escaped : undefined;
}

function child(schema: JsonObject, key: string): JsonObject | undefined {
  const value = schema[key];
  return isJsonObject(value) ? value : undefined;
}

function num(schema: JsonObject, key: string): number | undefined {
  const value = schema[key];
  return typeof value === 'number' ? Math.max(0, value) : undefined;
}

function simple(kind: DeclKind, schema: JsonObject, minSerializedSize: number, maxElements = 0): DeclType {
  return { kind, fields: new Map(), elem: undefined, maxElements, minSerializedSize, schema };
}

/** Adds apiVersion, kind and metadata (name, generateName only) at a resource root, as WithTypeAndObjectMeta does. */
export function withTypeAndObjectMeta(schema: JsonObject): JsonObject {
  const properties = { ...(child(schema, 'properties') ?? {}) };
  properties['apiVersion'] = { type: 'string' };
  properties['kind'] = { type: 'string' };
  properties['metadata'] = { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } };
  return { ...schema, properties };
}

function maxStringLengthPerRequest(schema: JsonObject): number {
  if (schema['x-kubernetes-int-or-string'] === true) return MAX_REQUEST_SIZE_BYTES - 2;
  switch (schema['format']) {
    case 'duration':
      return MAX_DURATION_SIZE_JSON;
    case 'date':
      return JSON_DATE_SIZE;
    case 'date-time':
      return MAX_DATETIME_SIZE_JSON;
    default:
      return MAX_REQUEST_SIZE_BYTES - 2;
  }
}

function stringDecl(schema: JsonObject): DeclType {
  const maxLength = num(schema, 'maxLength');
  switch (schema['format']) {
    case 'byte':
      return simple('bytes', schema, MIN_STRING_SIZE, maxLength ?? maxStringLengthPerRequest(schema));
    case 'duration':
      return simple('duration', schema, MIN_DURATION_SIZE_JSON, maxStringLengthPerRequest(schema));
    case 'date':
      return simple('timestamp', schema, JSON_DATE_SIZE, maxStringLengthPerRequest(schema));
    case 'date-time':
      return simple('timestamp', schema, MIN_DATETIME_SIZE_JSON, maxStringLengthPerRequest(schema));
  }
  if (maxLength !== undefined) return simple('string', schema, MIN_STRING_SIZE, maxLength * 4);
  const options = schema['enum'];
  if (Array.isArray(options) && options.length > 0) {
    return simple('string', schema, MIN_STRING_SIZE, Math.max(...options.map((o) => (typeof o === 'string' ? Buffer.byteLength(o) : 0))));
  }
  return simple('string', schema, MIN_STRING_SIZE, maxStringLengthPerRequest(schema));
}

function objectDecl(schema: JsonObject): DeclType | undefined {
  const additional = child(schema, 'additionalProperties');
  if (additional !== undefined) {
    const elem = declTypeOf(additional, additional['x-kubernetes-embedded-resource'] === true);
    if (elem === undefined) return undefined;
    const max = num(schema, 'maxProperties') ?? Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (elem.minSerializedSize + 6));
    return { kind: 'map', fields: new Map(), elem, maxElements: max, minSerializedSize: 2, schema };
  }
  const required = new Set(Array.isArray(schema['required']) ? schema['required'] : []);
  const fields = new Map<string, DeclField>();
  let minSerializedSize = 2;
  for (const [name, property] of Object.entries(child(schema, 'properties') ?? {})) {
    if (!isJsonObject(property)) continue;
    const type = declTypeOf(property, property['x-kubernetes-embedded-resource'] === true);
    if (type === undefined) continue;
    const escaped = escapeProperty(name);
    if (escaped !== undefined) fields.set(escaped, { jsonName: name, type });
    if (required.has(name) && property['default'] === undefined) minSerializedSize += name.length + type.minSerializedSize + 4;
  }
  return { kind: 'object', fields, elem: undefined, maxElements: 0, minSerializedSize, schema };
}

/** SchemaDeclType: undefined where the schema has no CEL type (an array without items). */
export function declTypeOf(schema: JsonObject, isResourceRoot: boolean): DeclType | undefined {
  if (schema['x-kubernetes-int-or-string'] === true) {
    const maxLength = num(schema, 'maxLength');
    return simple('dyn', schema, 1, maxLength === undefined ? maxStringLengthPerRequest(schema) : maxLength * 4);
  }
  const node = isResourceRoot ? withTypeAndObjectMeta(schema) : schema;
  switch (node['type']) {
    case 'array': {
      const items = child(node, 'items');
      const elem = items === undefined ? undefined : declTypeOf(items, items['x-kubernetes-embedded-resource'] === true);
      if (elem === undefined) return undefined;
      const max = num(node, 'maxItems') ?? Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (elem.minSerializedSize + 1));
      return { kind: 'list', fields: new Map(), elem, maxElements: max, minSerializedSize: 2, schema: node };
    }
    case 'object':
      return objectDecl(node);
    case 'string':
      return stringDecl(node);
    case 'boolean':
      return simple('bool', node, MIN_BOOL_SIZE);
    case 'number':
      return simple('double', node, MIN_NUMBER_SIZE);
    case 'integer':
      return simple('int', node, MIN_NUMBER_SIZE);
    default:
      return undefined;
  }
}
