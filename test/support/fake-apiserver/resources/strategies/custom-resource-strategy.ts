import { cloneJson } from '../../core/json-value.js';
import type { JsonObject } from '../../core/json-value.js';
import type { FieldError } from '../../core/field-errors.js';
import type { ResourceStrategy } from '../../core/resource-type.js';
import { compiledRules } from '../../cel/rule-cache.js';
import { validateRules } from '../../cel/rule-validator.js';
import { applyStructuralSchema } from '../structural-schema.js';

/** Schema errors after which kube-apiserver does not run the CEL rules (hasBlockingErr). */
const BLOCKING: ReadonlySet<FieldError['type']> = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

const NOT_CHECKED: FieldError = {
  type: 'FieldValueInvalid',
  field: '<nil>',
  message: 'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
};

/** Pruning, defaulting and validation (schema, formats, x-kubernetes-validations) against one served version's openAPIV3Schema. */
export function customResourceStrategy(schema: JsonObject | undefined): ResourceStrategy {
  if (schema === undefined) return {};
  const rules = compiledRules(schema);
  return {
    prune: (obj) => applyStructuralSchema(obj, schema).pruned,
    validate: (obj, old) => {
      const errors = applyStructuralSchema(cloneJson(obj), schema).errors;
      if (rules === undefined) return errors;
      if (errors.some((error) => BLOCKING.has(error.type))) return [...errors, NOT_CHECKED];
      return [...errors, ...validateRules(rules, obj, old)];
    },
  };
}
