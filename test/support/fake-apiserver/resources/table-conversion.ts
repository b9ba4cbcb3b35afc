import { ageOf } from './human-duration.js';
import { evaluateJsonPath } from './json-path-lite.js';
import { isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { metadataOf, nameOf } from '../core/object-meta.js';
import type { TableColumn, TableSpec } from '../core/resource-type.js';

const NAME_DESCRIPTION = 'Name must be unique within a namespace.';
const AGE_DESCRIPTION = 'CreationTimestamp is a timestamp representing the server time when this object was created.';

export function column(name: string, type = 'string', format = '', description = '', priority = 0): TableColumn {
  return { name, type, format, description, priority };
}

const NAME_COLUMN = column('Name', 'string', 'name', NAME_DESCRIPTION);

function creationTimestamp(obj: JsonObject): string | undefined {
  const value = metadataOf(obj)['creationTimestamp'];
  return typeof value === 'string' ? value : undefined;
}

/** rest.NewDefaultTableConvertor: NAME, CREATED AT. */
export const DEFAULT_TABLE: TableSpec = {
  columns: [NAME_COLUMN, column('Created At', 'date', '', AGE_DESCRIPTION)],
  cells: (obj) => [nameOf(obj), creationTimestamp(obj) ?? null],
};

/** A built-in printer: NAME, the given columns, AGE. */
export function printerTable(columns: readonly TableColumn[], cells: (obj: JsonObject) => JsonValue[]): TableSpec {
  return {
    columns: [NAME_COLUMN, ...columns, column('Age', 'string', '', AGE_DESCRIPTION)],
    cells: (obj, now) => [nameOf(obj), ...cells(obj), ageOf(creationTimestamp(obj), now)],
  };
}

export interface PrinterColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
  readonly jsonPath: string;
}

/** The custom-resource table convertor: NAME, additionalPrinterColumns (AGE by default). */
export function customResourceTable(printerColumns: readonly PrinterColumnSpec[] | undefined): TableSpec {
  const columns =
    printerColumns === undefined || printerColumns.length === 0
      ? [{ name: 'Age', type: 'date', format: '', description: AGE_DESCRIPTION, priority: 0, jsonPath: '.metadata.creationTimestamp' }]
      : printerColumns;
  return {
    columns: [NAME_COLUMN, ...columns.map((c) => column(c.name, c.type, c.format, c.description, c.priority))],
    cells: (obj, now) => [nameOf(obj), ...columns.map((c) => cellFor(c, evaluateJsonPath(obj, c.jsonPath), now))],
  };
}

function cellFor(spec: PrinterColumnSpec, value: JsonValue | undefined, now: Date): JsonValue {
  if (value === undefined || value === null) return null;
  switch (spec.type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? ageOf(value, now) : null;
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function tableRow(spec: TableSpec, obj: JsonObject, include: IncludeObject, now: Date): JsonObject {
  const row: JsonObject = { cells: spec.cells(obj, now) };
  if (include === 'Object') row['object'] = obj;
  if (include === 'Metadata') {
    row['object'] = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOf(obj) };
  }
  return row;
}

export function toTable(spec: TableSpec, objects: readonly JsonObject[], listMeta: JsonObject, include: IncludeObject, now: Date): JsonObject {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: spec.columns.map((c) => ({ ...c })),
    rows: objects.map((obj) => tableRow(spec, obj, include, now)),
  };
}

export function countEntries(value: JsonValue | undefined): number {
  return isJsonObject(value) ? Object.keys(value).length : 0;
}
