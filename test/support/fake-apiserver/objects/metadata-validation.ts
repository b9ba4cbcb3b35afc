import { invalidValue, required, tooLong } from '../core/field-errors.js';
import type { FieldError } from '../core/field-errors.js';
import { isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { metadataOf } from '../core/object-meta.js';
import type { NameRule } from '../core/resource-type.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL1035_MESSAGE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

export function nameErrors(name: string, rule: NameRule, field = 'metadata.name'): FieldError[] {
  switch (rule) {
    case 'subdomain':
      if (name.length > 253) return [invalidValue(field, name, 'must be no more than 253 characters')];
      return DNS1123_SUBDOMAIN.test(name) ? [] : [invalidValue(field, name, SUBDOMAIN_MESSAGE)];
    case 'label':
      if (name.length > 63) return [invalidValue(field, name, 'must be no more than 63 characters')];
      return DNS1123_LABEL.test(name) ? [] : [invalidValue(field, name, LABEL_MESSAGE)];
    case 'label1035':
      if (name.length > 63) return [invalidValue(field, name, 'must be no more than 63 characters')];
      return DNS1035_LABEL.test(name) ? [] : [invalidValue(field, name, LABEL1035_MESSAGE)];
    case 'pathSegment':
      if (name === '.' || name === '..') return [invalidValue(field, name, `may not be '${name}'`)];
      return /[/%]/.test(name) ? [invalidValue(field, name, "may not contain '/' or '%'")] : [];
  }
}

/** Label/annotation key syntax: an optional DNS subdomain prefix, then a qualified name. */
export function qualifiedNameErrors(key: string, field: string): FieldError[] {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0 && (prefix === '' || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return [invalidValue(field, key, 'prefix part must be a lowercase RFC 1123 subdomain')];
  }
  if (name === '' || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return [
      invalidValue(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ),
    ];
  }
  return [];
}

const MAX_ANNOTATION_BYTES = 256 * 1024;

/** ObjectMeta checks every kind gets: name (or generateName), label and annotation syntax. */
export function objectMetaErrors(obj: JsonObject, rule: NameRule, namespaced: boolean): FieldError[] {
  const meta = metadataOf(obj);
  const errors: FieldError[] = [];
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  if (name === '') errors.push(required('metadata.name', 'name or generateName is required'));
  else errors.push(...nameErrors(name, rule));
  if (namespaced && (typeof meta['namespace'] !== 'string' || meta['namespace'] === '')) {
    errors.push(required('metadata.namespace'));
  }
  errors.push(...labelErrors(meta['labels']));
  errors.push(...annotationErrors(meta['annotations']));
  return errors;
}

function labelErrors(labels: JsonValue | undefined): FieldError[] {
  if (!isJsonObject(labels)) return [];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    errors.push(...qualifiedNameErrors(key, 'metadata.labels'));
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push(
        invalidValue(
          'metadata.labels',
          value,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
  }
  return errors;
}

function annotationErrors(annotations: JsonValue | undefined): FieldError[] {
  if (!isJsonObject(annotations)) return [];
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    errors.push(...qualifiedNameErrors(key.toLowerCase(), 'metadata.annotations'));
    size += key.length + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (size > MAX_ANNOTATION_BYTES) errors.push(tooLong('metadata.annotations', MAX_ANNOTATION_BYTES));
  return errors;
}
