import { forbiddenField, invalidValue, tooLong } from '../../core/field-errors.js';
import type { FieldError } from '../../core/field-errors.js';
import { deepEqual, isJsonObject } from '../../core/json-value.js';
import type { JsonObject, JsonValue } from '../../core/json-value.js';

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
export const MAX_DATA_BYTES = 1024 * 1024;

/** Keys of Secret/ConfigMap data maps: IsConfigMapKey. */
export function configKeyErrors(map: JsonValue | undefined, field: string): FieldError[] {
  if (!isJsonObject(map)) return [];
  const errors: FieldError[] = [];
  for (const key of Object.keys(map)) {
    if (key.length > 253 || !CONFIG_KEY.test(key) || key === '.' || key === '..') {
      errors.push(
        invalidValue(
          `${field}[${key}]`,
          key,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
      );
    }
  }
  return errors;
}

export function dataSize(map: JsonValue | undefined, base64: boolean): number {
  if (!isJsonObject(map)) return 0;
  let size = 0;
  for (const value of Object.values(map)) {
    if (typeof value === 'string') size += base64 ? Buffer.from(value, 'base64').length : Buffer.byteLength(value);
  }
  return size;
}

export function sizeErrors(size: number, field: string): FieldError[] {
  return size > MAX_DATA_BYTES ? [tooLong(field, MAX_DATA_BYTES)] : [];
}

/** `immutable: true` freezes data and binaryData and cannot be unset. */
export function immutabilityErrors(obj: JsonObject, old: JsonObject | undefined, fields: readonly string[]): FieldError[] {
  if (old === undefined || old['immutable'] !== true) return [];
  const errors: FieldError[] = [];
  if (obj['immutable'] !== true) errors.push(forbiddenField('immutable', 'field is immutable when `immutable` is set'));
  for (const field of fields) {
    if (!deepEqual(obj[field], old[field])) errors.push(forbiddenField(field, 'field is immutable when `immutable` is set'));
  }
  return errors;
}
