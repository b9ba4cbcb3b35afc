import { getPath, isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { nameOf } from '../core/object-meta.js';
import { PATCH_TYPES, STANDARD_VERBS } from '../core/resource-type.js';
import type { ObjectView, ResourceType, ScaleSpec } from '../core/resource-type.js';
import { crdVersions } from './strategies/crd-strategy.js';
import type { CrdVersion } from './strategies/crd-strategy.js';
import { customResourceStrategy } from './strategies/custom-resource-strategy.js';
import { customResourceTable } from './table-conversion.js';
import type { PrinterColumnSpec } from './table-conversion.js';

export interface CrdNames {
  readonly group: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function text(crd: JsonObject, ...path: string[]): string {
  const value = getPath(crd, path);
  return typeof value === 'string' ? value : '';
}

export function crdNames(crd: JsonObject): CrdNames {
  const kind = text(crd, 'spec', 'names', 'kind');
  return {
    group: text(crd, 'spec', 'group'),
    plural: text(crd, 'spec', 'names', 'plural'),
    singular: text(crd, 'spec', 'names', 'singular') || kind.toLowerCase(),
    kind,
    listKind: text(crd, 'spec', 'names', 'listKind') || `${kind}List`,
    shortNames: strings(getPath(crd, ['spec', 'names', 'shortNames'])),
    categories: strings(getPath(crd, ['spec', 'names', 'categories'])),
    namespaced: text(crd, 'spec', 'scope') !== 'Cluster',
  };
}

export function crdStorageKey(names: Pick<CrdNames, 'group' | 'plural'>): string {
  return `${names.group}/${names.plural}`;
}

/** Custom resources are stored at the storage version; conversion strategy None only rewrites apiVersion. */
function versionView(group: string, served: string, storage: string): ObjectView {
  return {
    toStorage: (obj) => ({ ...obj, apiVersion: `${group}/${storage}` }),
    fromStorage: (obj) => ({ ...obj, apiVersion: `${group}/${served}` }),
  };
}

function printerColumns(version: CrdVersion): PrinterColumnSpec[] {
  const columns = version.raw['additionalPrinterColumns'];
  if (!Array.isArray(columns)) return [];
  return columns.filter(isJsonObject).map((c) => ({
    name: typeof c['name'] === 'string' ? c['name'] : '',
    type: typeof c['type'] === 'string' ? c['type'] : 'string',
    format: typeof c['format'] === 'string' ? c['format'] : '',
    description: typeof c['description'] === 'string' ? c['description'] : '',
    priority: typeof c['priority'] === 'number' ? c['priority'] : 0,
    jsonPath: typeof c['jsonPath'] === 'string' ? c['jsonPath'] : '',
  }));
}

function selectableFields(version: CrdVersion): string[] {
  const fields = version.raw['selectableFields'];
  if (!Array.isArray(fields)) return [];
  return fields
    .filter(isJsonObject)
    .map((f) => (typeof f['jsonPath'] === 'string' ? f['jsonPath'].replace(/^\./, '') : ''))
    .filter((f) => f !== '');
}

function jsonPathSegments(value: unknown): string[] | undefined {
  return typeof value === 'string' && value.startsWith('.') ? value.slice(1).split('.') : undefined;
}

function scaleSpec(version: CrdVersion): ScaleSpec | undefined {
  const scale = getPath(version.raw, ['subresources', 'scale']);
  if (!isJsonObject(scale)) return undefined;
  const spec = jsonPathSegments(scale['specReplicasPath']);
  const status = jsonPathSegments(scale['statusReplicasPath']);
  if (spec === undefined || status === undefined) return undefined;
  const selector = jsonPathSegments(scale['labelSelectorPath']);
  return { specReplicasPath: spec, statusReplicasPath: status, ...(selector === undefined ? {} : { labelSelectorPath: selector }) };
}

export function schemaNameFor(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** One ResourceType per served version of an established CRD. */
export function typesFromCrd(crd: JsonObject): ResourceType[] {
  const names = crdNames(crd);
  const versions = crdVersions(crd);
  const storage = versions.find((v) => v.storage)?.name ?? versions[0]?.name ?? '';
  return versions
    .filter((v) => v.served)
    .map((version) => {
      const schema = getPath(version.raw, ['schema', 'openAPIV3Schema']);
      const scale = scaleSpec(version);
      return {
        group: names.group,
        version: version.name,
        resource: names.plural,
        singular: names.singular,
        kind: names.kind,
        listKind: names.listKind,
        namespaced: names.namespaced,
        shortNames: names.shortNames,
        categories: names.categories,
        verbs: STANDARD_VERBS,
        storageKey: crdStorageKey(names),
        statusSubresource: isJsonObject(getPath(version.raw, ['subresources', 'status'])),
        tracksGeneration: true,
        allowCreateOnUpdate: false,
        allowUnconditionalUpdate: false,
        returnDeletedObject: true,
        patchTypes: [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply],
        selectableFields: selectableFields(version),
        table: customResourceTable(printerColumns(version)),
        view: versionView(names.group, version.name, storage),
        strategy: customResourceStrategy(isJsonObject(schema) ? schema : undefined),
        schemaName: schemaNameFor(names.group, version.name, names.kind),
        ...(isJsonObject(schema) ? { openApiSchema: schema } : {}),
        origin: nameOf(crd),
        nameRule: 'subdomain' as const,
        ...(scale === undefined ? {} : { scale }),
      };
    });
}
