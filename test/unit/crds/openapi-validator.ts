/**
 * A small validator for the OpenAPI v3 subset our CRDs use (type, enum, pattern, min/max lengths and
 * items, required, properties, additionalProperties, x-kubernetes-list-type set), so that tests can
 * check sample objects the way the API server would — CEL rules excepted. Unknown fields are errors,
 * as with `kubectl apply --validate=strict`.
 */
export interface SchemaNode {
  type?: string;
  description?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  default?: unknown;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

export function validate(schema: SchemaNode, value: unknown, path = ''): string[] {
  if (value === undefined) return [];
  const typeError = checkType(schema, value, path);
  if (typeError) return [typeError];
  return [...checkScalar(schema, value, path), ...checkArray(schema, value, path), ...checkObject(schema, value, path)];
}

function checkType(schema: SchemaNode, value: unknown, path: string): string | undefined {
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const expected = schema.type;
  if (expected === undefined) return undefined;
  const ok =
    expected === 'integer' ? Number.isInteger(value) : expected === 'number' ? typeof value === 'number' : actual === expected;
  return ok ? undefined : `${path || '<root>'}: expected ${expected}, got ${actual}`;
}

function checkScalar(schema: SchemaNode, value: unknown, path: string): string[] {
  const errors: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${path}: "${value}" does not match pattern`);
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${path}: not a date-time`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  return errors;
}

function checkArray(schema: SchemaNode, value: unknown, path: string): string[] {
  if (!Array.isArray(value)) return [];
  const errors: string[] = [];
  if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
  if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${path}: more than ${schema.maxItems} items`);
  if (schema['x-kubernetes-list-type'] === 'set' && new Set(value.map((item) => JSON.stringify(item))).size !== value.length) {
    errors.push(`${path}: duplicate items in a set`);
  }
  value.forEach((item, index) => errors.push(...(schema.items ? validate(schema.items, item, `${path}[${index}]`) : [])));
  return errors;
}

function checkObject(schema: SchemaNode, value: unknown, path: string): string[] {
  if (schema.type !== 'object' || typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const record = value as Record<string, unknown>;
  const errors = (schema.required ?? []).filter((key) => !(key in record)).map((key) => `${path}.${key}: required`);
  // `metadata: {type: object}` with no properties is free-form, as the API server treats it.
  if (!schema.properties && schema.additionalProperties === undefined) return errors;
  for (const [key, child] of Object.entries(record)) {
    const childSchema = schema.properties?.[key] ?? additional(schema);
    if (!childSchema) errors.push(`${path}.${key}: unknown field`);
    else errors.push(...validate(childSchema, child, `${path}.${key}`));
  }
  return errors;
}

function additional(schema: SchemaNode): SchemaNode | undefined {
  const extra = schema.additionalProperties;
  if (extra === true) return {};
  return typeof extra === 'object' ? extra : undefined;
}

/** Fills in `default`s the way the API server does before validation (objects only when present). */
export function applyDefaults(schema: SchemaNode, value: unknown): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((item) => applyDefaults(schema.items!, item)) : value;
  if (typeof value !== 'object' || value === null || !schema.properties) return value;
  const result: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, child] of Object.entries(schema.properties)) {
    if (result[key] === undefined && child.default !== undefined) result[key] = structuredClone(child.default);
    if (result[key] !== undefined) result[key] = applyDefaults(child, result[key]);
  }
  return result;
}
