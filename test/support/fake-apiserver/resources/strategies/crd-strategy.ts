import { immutable, invalidValue, notSupported, required } from '../../core/field-errors.js';
import type { FieldError } from '../../core/field-errors.js';
import { ensureObject, getPath, isJsonObject } from '../../core/json-value.js';
import type { JsonObject, JsonValue } from '../../core/json-value.js';
import { finalizersOf, nameOf, setFinalizers } from '../../core/object-meta.js';
import type { ResourceStrategy } from '../../core/resource-type.js';
import { nameErrors } from '../../objects/metadata-validation.js';
import { checkSchemaRules } from '../../cel/crd-rule-checks.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly raw: JsonObject;
}

export function crdVersions(crd: JsonObject): CrdVersion[] {
  const versions = getPath(crd, ['spec', 'versions']);
  if (!Array.isArray(versions)) return [];
  return versions.filter(isJsonObject).map((raw) => ({
    name: typeof raw['name'] === 'string' ? raw['name'] : '',
    served: raw['served'] === true,
    storage: raw['storage'] === true,
    raw,
  }));
}

function defaultNames(crd: JsonObject): void {
  const names = ensureObject(ensureObject(crd, 'spec'), 'names');
  const kind = typeof names['kind'] === 'string' ? names['kind'] : '';
  if (kind !== '') {
    names['singular'] ??= kind.toLowerCase();
    names['listKind'] ??= `${kind}List`;
  }
}

function prepare(crd: JsonObject): void {
  defaultNames(crd);
  const spec = ensureObject(crd, 'spec');
  spec['conversion'] ??= { strategy: 'None' };
}

function stringAt(crd: JsonObject, path: readonly string[]): string {
  const value = getPath(crd, path);
  return typeof value === 'string' ? value : '';
}

function validateNames(crd: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  const group = stringAt(crd, ['spec', 'group']);
  const plural = stringAt(crd, ['spec', 'names', 'plural']);
  if (group === '') errors.push(required('spec.group'));
  else if (!group.includes('.')) errors.push(invalidValue('spec.group', group, 'should be a domain with at least one dot'));
  if (plural === '') errors.push(required('spec.names.plural'));
  else errors.push(...nameErrors(plural, 'label', 'spec.names.plural'));
  if (stringAt(crd, ['spec', 'names', 'kind']) === '') errors.push(required('spec.names.kind'));
  if (group !== '' && plural !== '' && nameOf(crd) !== `${plural}.${group}`) {
    errors.push(invalidValue('metadata.name', nameOf(crd), 'must be spec.names.plural+"."+spec.group'));
  }
  const scope: JsonValue | undefined = getPath(crd, ['spec', 'scope']);
  if (scope !== 'Namespaced' && scope !== 'Cluster') errors.push(notSupported('spec.scope', scope ?? '', ['Cluster', 'Namespaced']));
  return errors;
}

function validateVersions(crd: JsonObject): FieldError[] {
  const versions = crdVersions(crd);
  if (versions.length === 0) return [required('spec.versions', 'must have at least one version')];
  const errors: FieldError[] = [];
  if (versions.filter((v) => v.storage).length !== 1) {
    errors.push(invalidValue('spec.versions', null, 'must have exactly one version marked as storage version'));
  }
  versions.forEach((version, i) => {
    errors.push(...nameErrors(version.name, 'label', `spec.versions[${i}].name`));
    const schema = getPath(version.raw, ['schema', 'openAPIV3Schema']);
    if (!isJsonObject(schema)) errors.push(required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
    else if (schema['type'] !== 'object') {
      errors.push(required(`spec.versions[${i}].schema.openAPIV3Schema.type`, 'must not be empty at the root'));
    } else {
      errors.push(...checkSchemaRules(schema, `spec.versions[${i}].schema.openAPIV3Schema`).errors);
    }
  });
  return errors;
}

function validate(crd: JsonObject, old: JsonObject | undefined): FieldError[] {
  const errors = [...validateNames(crd), ...validateVersions(crd)];
  if (old !== undefined) {
    for (const path of [['spec', 'group'], ['spec', 'scope'], ['spec', 'names', 'plural']] as const) {
      if (stringAt(crd, path) !== stringAt(old, path)) errors.push(immutable(path.join('.'), stringAt(crd, path)));
    }
  }
  return errors;
}

export const crdStrategy: ResourceStrategy = {
  prepareForCreate(crd) {
    prepare(crd);
    if (!finalizersOf(crd).includes(CRD_CLEANUP_FINALIZER)) setFinalizers(crd, [...finalizersOf(crd), CRD_CLEANUP_FINALIZER]);
    const storage = crdVersions(crd).find((v) => v.storage)?.name;
    crd['status'] = {
      conditions: [],
      acceptedNames: { plural: '', kind: '' },
      storedVersions: storage === undefined ? [] : [storage],
    };
  },
  prepareForUpdate: prepare,
  validate,
};
