import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A node of a CRD's openAPIV3Schema, as far as these tests read it. */
export interface SchemaNode {
  type?: string;
  description?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  default?: unknown;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message?: string; messageExpression?: string; reason?: string; fieldPath?: string }[];
}

export const CRDS_DIR = new URL('../../../crds/', import.meta.url).pathname;

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  subresources?: { status?: object };
  additionalPrinterColumns?: PrinterColumn[];
  schema: { openAPIV3Schema: SchemaNode };
}

export interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[]; categories?: string[] };
    versions: CrdVersion[];
  };
}

export function crdFileNames(): string[] {
  return readdirSync(CRDS_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
}

/** Every document of every file in crds/, keyed by kind. */
export function loadCrds(): Map<string, Crd> {
  const crds = new Map<string, Crd>();
  for (const file of crdFileNames()) {
    for (const document of parseAllDocuments(readFileSync(join(CRDS_DIR, file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      const crd = document.toJS() as Crd;
      crds.set(crd.spec.names.kind, crd);
    }
  }
  return crds;
}

export function crdOf(kind: string): Crd {
  const crd = loadCrds().get(kind);
  if (!crd) throw new Error(`no CRD for ${kind} in crds/`);
  return crd;
}

export function schemaOf(kind: string): SchemaNode {
  const version = crdOf(kind).spec.versions.find((candidate) => candidate.name === 'v1alpha1');
  if (!version) throw new Error(`${kind} has no v1alpha1`);
  return version.schema.openAPIV3Schema;
}

/** The schema node a dotted path (from the root object) leads to, or undefined. */
export function nodeAt(schema: SchemaNode, path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const key of path) {
    node = node?.type === 'array' ? node.items?.properties?.[key] : node?.properties?.[key];
  }
  return node;
}

/** Every schema node with its path, depth first. */
export function* walkSchema(schema: SchemaNode, path: string[] = []): Generator<[string[], SchemaNode]> {
  yield [path, schema];
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* walkSchema(child, [...path, key]);
  if (schema.items) yield* walkSchema(schema.items, [...path, '[]']);
  if (typeof schema.additionalProperties === 'object') yield* walkSchema(schema.additionalProperties, [...path, '*']);
}
