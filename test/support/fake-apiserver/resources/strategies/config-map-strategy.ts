import { invalidValue } from '../../core/field-errors.js';
import type { FieldError } from '../../core/field-errors.js';
import { isJsonObject } from '../../core/json-value.js';
import type { JsonObject } from '../../core/json-value.js';
import type { ResourceStrategy } from '../../core/resource-type.js';
import { configKeyErrors, dataSize, immutabilityErrors, sizeErrors } from './config-data.js';

function validate(obj: JsonObject, old: JsonObject | undefined): FieldError[] {
  const errors = [...configKeyErrors(obj['data'], 'data'), ...configKeyErrors(obj['binaryData'], 'binaryData')];
  const data = obj['data'];
  const binary = obj['binaryData'];
  if (isJsonObject(data) && isJsonObject(binary)) {
    for (const key of Object.keys(binary)) {
      if (Object.hasOwn(data, key)) errors.push(invalidValue(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    }
  }
  errors.push(...sizeErrors(dataSize(data, false) + dataSize(binary, true), '[]'));
  errors.push(...immutabilityErrors(obj, old, ['data', 'binaryData']));
  return errors;
}

export const configMapStrategy: ResourceStrategy = { validate };
