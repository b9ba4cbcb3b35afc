import { cloneJson } from '../../core/json-value.js';
import type { JsonObject } from '../../core/json-value.js';
import type { ResourceStrategy } from '../../core/resource-type.js';
import { applyStructuralSchema } from '../structural-schema.js';

/** Pruning, defaulting and validation against one served version's openAPIV3Schema. */
export function customResourceStrategy(schema: JsonObject | undefined): ResourceStrategy {
  if (schema === undefined) return {};
  return {
    prune: (obj) => applyStructuralSchema(obj, schema).pruned,
    validate: (obj) => applyStructuralSchema(cloneJson(obj), schema).errors,
  };
}
