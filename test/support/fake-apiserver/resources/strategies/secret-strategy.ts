import { badRequest } from '../../core/api-errors.js';
import { immutable, required } from '../../core/field-errors.js';
import type { FieldError } from '../../core/field-errors.js';
import { isJsonObject } from '../../core/json-value.js';
import type { JsonObject } from '../../core/json-value.js';
import type { ResourceStrategy } from '../../core/resource-type.js';
import { configKeyErrors, dataSize, immutabilityErrors, sizeErrors } from './config-data.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Required data keys per well-known Secret type. */
const REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
};

/** stringData folds into data; data must be base64 (a decode error is a 400, as in the real server). */
function normalize(obj: JsonObject): void {
  const data: JsonObject = isJsonObject(obj['data']) ? { ...obj['data'] } : {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' || !BASE64.test(value)) {
      throw badRequest('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0');
    }
    data[key] = value;
  }
  const stringData = obj['stringData'];
  if (isJsonObject(stringData)) {
    for (const [key, value] of Object.entries(stringData)) {
      if (typeof value === 'string') data[key] = Buffer.from(value, 'utf8').toString('base64');
    }
  }
  delete obj['stringData'];
  if (Object.keys(data).length > 0) obj['data'] = data;
  else delete obj['data'];
  if (typeof obj['type'] !== 'string' || obj['type'] === '') obj['type'] = 'Opaque';
}

function validate(obj: JsonObject, old: JsonObject | undefined): FieldError[] {
  const errors = [...configKeyErrors(obj['data'], 'data'), ...sizeErrors(dataSize(obj['data'], true), 'data')];
  const data = isJsonObject(obj['data']) ? obj['data'] : {};
  const type = typeof obj['type'] === 'string' ? obj['type'] : 'Opaque';
  for (const key of REQUIRED_KEYS[type] ?? []) {
    if (!Object.hasOwn(data, key)) errors.push(required(`data[${key}]`));
  }
  if (old !== undefined && old['type'] !== obj['type']) errors.push(immutable('type', obj['type']));
  errors.push(...immutabilityErrors(obj, old, ['data']));
  return errors;
}

export const secretStrategy: ResourceStrategy = {
  prepareForCreate: normalize,
  prepareForUpdate: normalize,
  validate,
};
