import { invalidValue, notSupported, required, tooLong, tooMany, typeInvalid } from '../core/field-errors.js';
import type { FieldError } from '../core/field-errors.js';
import { cloneJson, deepEqual, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { formatValidator } from './schema-formats.js';

export interface SchemaOutcome {
  readonly errors: FieldError[];
  /** Dotted paths of fields dropped because the schema does not declare them. */
  readonly pruned: string[];
}

interface Walk {
  readonly errors: FieldError[];
  readonly pruned: string[];
}

const ROOT_KEPT: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata']);
const NOTHING_KEPT: ReadonlySet<string> = new Set();

/**
 * What the apiextensions server does to a custom resource with a structural schema: prune
 * undeclared fields, drop non-nullable nulls, apply defaults, then validate types, enums,
 * required fields and bounds. Mutates `obj`.
 */
export function applyStructuralSchema(obj: JsonObject, schema: JsonObject): SchemaOutcome {
  const walk: Walk = { errors: [], pruned: [] };
  visitObject(obj, schema, '', walk, ROOT_KEPT);
  return walk;
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function schemaAt(schema: JsonObject, key: string): JsonObject | undefined {
  const value = schema[key];
  return isJsonObject(value) ? value : undefined;
}

function visit(value: JsonValue, schema: JsonObject, path: string, walk: Walk): JsonValue | undefined {
  if (value === null) return schema['nullable'] === true ? null : undefined;
  if (!checkType(value, schema, path, walk)) return value;
  checkEnum(value, schema, path, walk);
  if (typeof value === 'string') checkString(value, schema, path, walk);
  if (typeof value === 'number') checkNumber(value, schema, path, walk);
  if (Array.isArray(value)) return visitArray(value, schema, path, walk);
  if (isJsonObject(value)) visitObject(value, schema, path, walk, schema['x-kubernetes-embedded-resource'] === true ? ROOT_KEPT : NOTHING_KEPT);
  return value;
}

function visitArray(items: JsonValue[], schema: JsonObject, path: string, walk: Walk): JsonValue[] {
  const itemSchema = schemaAt(schema, 'items');
  if (typeof schema['maxItems'] === 'number' && items.length > schema['maxItems']) {
    walk.errors.push(tooMany(path, items.length, schema['maxItems']));
  }
  if (typeof schema['minItems'] === 'number' && items.length < schema['minItems']) {
    walk.errors.push(invalidValue(path, items.length, `${path} in body should have at least ${schema['minItems']} items`));
  }
  checkListType(items, schema, path, walk);
  if (itemSchema === undefined) return items;
  const out: JsonValue[] = [];
  items.forEach((item, i) => {
    const next = visit(item, itemSchema, `${path}[${i}]`, walk);
    if (next !== undefined) out.push(next);
  });
  return out;
}

/** x-kubernetes-list-type set and map: no duplicate items, no duplicate keys (structurallisttype). */
function checkListType(items: JsonValue[], schema: JsonObject, path: string, walk: Walk): void {
  const listType = schema['x-kubernetes-list-type'];
  const keys = schema['x-kubernetes-list-map-keys'];
  if (listType !== 'set' && !(listType === 'map' && Array.isArray(keys))) return;
  const seen: JsonValue[] = [];
  items.forEach((item, i) => {
    const identity: JsonValue = listType === 'set' ? item : keyOf(item, keys as JsonValue[]);
    if (seen.some((earlier) => deepEqual(earlier, identity))) {
      walk.errors.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, message: `Duplicate value: ${JSON.stringify(identity)}` });
    } else {
      seen.push(identity);
    }
  });
}

function keyOf(item: JsonValue, keys: JsonValue[]): JsonValue {
  const out: JsonObject = {};
  for (const key of keys) {
    if (typeof key === 'string' && isJsonObject(item) && item[key] !== undefined) out[key] = item[key];
  }
  return out;
}

function visitObject(obj: JsonObject, schema: JsonObject, path: string, walk: Walk, kept: ReadonlySet<string>): void {
  const properties = schemaAt(schema, 'properties') ?? {};
  for (const key of Object.keys(obj)) {
    if (!kept.has(key)) visitProperty(obj, key, schema, properties, child(path, key), walk);
  }
  applyDefaults(obj, properties, path, walk);
  const requiredKeys = schema['required'];
  if (!Array.isArray(requiredKeys)) return;
  for (const key of requiredKeys) {
    if (typeof key === 'string' && !Object.hasOwn(obj, key)) walk.errors.push(required(child(path, key)));
  }
}

/** Validates a declared property, or prunes an undeclared one unless unknown fields are preserved. */
function visitProperty(obj: JsonObject, key: string, schema: JsonObject, properties: JsonObject, path: string, walk: Walk): void {
  const additional = schema['additionalProperties'];
  const propertySchema = schemaAt(properties, key) ?? (isJsonObject(additional) ? additional : undefined);
  if (propertySchema === undefined) {
    if (schema['x-kubernetes-preserve-unknown-fields'] !== true && additional !== true) {
      delete obj[key];
      walk.pruned.push(path);
    }
    return;
  }
  const next = visit(obj[key] ?? null, propertySchema, path, walk);
  if (next === undefined) delete obj[key];
  else obj[key] = next;
}

function applyDefaults(obj: JsonObject, properties: JsonObject, path: string, walk: Walk): void {
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (Object.hasOwn(obj, key) || !isJsonObject(propertySchema) || !Object.hasOwn(propertySchema, 'default')) continue;
    const value = visit(cloneJson(propertySchema['default'] ?? null), propertySchema, child(path, key), walk);
    if (value !== undefined) obj[key] = value;
  }
}

const TYPE_CHECKS: Readonly<Record<string, (value: JsonValue) => boolean>> = {
  object: (v) => isJsonObject(v),
  array: (v) => Array.isArray(v),
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
};

function checkType(value: JsonValue, schema: JsonObject, path: string, walk: Walk): boolean {
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value === 'string' || Number.isInteger(value)) return true;
    walk.errors.push(typeInvalid(path, value, `${path} in body must be of type int-or-string`));
    return false;
  }
  const type = schema['type'];
  const check = typeof type === 'string' ? TYPE_CHECKS[type] : undefined;
  if (check === undefined || check(value)) return true;
  walk.errors.push(typeInvalid(path, value, `${path} in body must be of type ${String(type)}: ${describe(value)}`));
  return false;
}

function describe(value: JsonValue): string {
  if (Array.isArray(value)) return '"array"';
  if (isJsonObject(value)) return '"object"';
  if (typeof value === 'number') return Number.isInteger(value) ? '"integer"' : '"number"';
  return `"${typeof value}"`;
}

function checkEnum(value: JsonValue, schema: JsonObject, path: string, walk: Walk): void {
  const options = schema['enum'];
  if (!Array.isArray(options) || options.some((o) => deepEqual(o, value))) return;
  walk.errors.push(notSupported(path, value, options.map((o) => (typeof o === 'string' ? o : JSON.stringify(o)))));
}

function checkString(value: string, schema: JsonObject, path: string, walk: Walk): void {
  const max = schema['maxLength'];
  if (typeof max === 'number' && value.length > max) walk.errors.push(tooLong(path, max));
  const min = schema['minLength'];
  if (typeof min === 'number' && value.length < min) {
    walk.errors.push(invalidValue(path, value, `${path} in body should be at least ${min} chars long`));
  }
  const format = typeof schema['format'] === 'string' ? formatValidator(schema['format']) : undefined;
  if (format !== undefined && !format(value)) {
    walk.errors.push(typeInvalid(path, value, `${path} in body must be of type ${String(schema['format'])}: ${JSON.stringify(value)}`));
  }
  const pattern = schema['pattern'];
  if (typeof pattern === 'string' && !compiled(pattern).test(value)) {
    walk.errors.push(invalidValue(path, value, `${path} in body should match '${pattern}'`));
  }
}

const patterns = new Map<string, RegExp>();

function compiled(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(pattern, 'u');
    patterns.set(pattern, regex);
  }
  return regex;
}

function checkNumber(value: number, schema: JsonObject, path: string, walk: Walk): void {
  const max = schema['maximum'];
  if (typeof max === 'number' && (value > max || (schema['exclusiveMaximum'] === true && value === max))) {
    walk.errors.push(invalidValue(path, value, `${path} in body should be less than or equal to ${max}`));
  }
  const min = schema['minimum'];
  if (typeof min === 'number' && (value < min || (schema['exclusiveMinimum'] === true && value === min))) {
    walk.errors.push(invalidValue(path, value, `${path} in body should be greater than or equal to ${min}`));
  }
}
