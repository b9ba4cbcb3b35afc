import { compileRule } from './cel-subset.js';
import type { SchemaNode } from './openapi-validator.js';

/**
 * Runs every x-kubernetes-validations rule of `schema` against `object` as the API server would:
 * on each node that has a value; transition rules (oldSelf) only when the old object has one too.
 * Returns the messages of the rules that fail or cannot be evaluated.
 */
export function ruleViolations(schema: SchemaNode, object: unknown, oldObject?: unknown): string[] {
  return visit(schema, object, oldObject, '');
}

function visit(schema: SchemaNode, value: unknown, oldValue: unknown, path: string): string[] {
  if (value === undefined) return [];
  const errors: string[] = [];
  for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
    const compiled = compileRule(rule);
    if (compiled.usesOldSelf && oldValue === undefined) continue;
    try {
      if (!compiled.evaluate({ self: value, oldSelf: oldValue })) errors.push(`${path}: ${message ?? rule}`);
    } catch (error) {
      errors.push(`${path}: ${rule} could not be evaluated: ${(error as Error).message}`);
    }
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => errors.push(...(schema.items ? visit(schema.items, item, undefined, `${path}[${index}]`) : [])));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (childSchema) errors.push(...visit(childSchema, child, childOf(oldValue, key), `${path}.${key}`));
    }
  }
  return errors;
}

function childOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}
