import { deepEqual, isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { fromFieldsV1, leafPaths, toFieldsV1, valueAt } from './field-set.js';
import type { FieldScope, FieldSet } from './field-set.js';
import { metadataOf, mutableMetadata } from '../core/object-meta.js';

export type ManagedOperation = 'Apply' | 'Update';

export interface ManagedEntry {
  readonly manager: string;
  readonly operation: ManagedOperation;
  readonly apiVersion: string;
  readonly time: string;
  readonly subresource: string;
  readonly fields: FieldSet;
}

export interface WriterIdentity {
  readonly manager: string;
  readonly apiVersion: string;
  /** '' for the main resource, 'status' for /status. */
  readonly subresource: string;
  readonly time: string;
}

export function scopeFor(subresource: string, hasStatusSubresource: boolean): FieldScope {
  if (subresource === 'status') return 'status';
  return hasStatusSubresource ? 'main' : 'all';
}

export function readManagedFields(obj: JsonObject): ManagedEntry[] {
  const raw = metadataOf(obj)['managedFields'];
  if (!Array.isArray(raw)) return [];
  const entries: ManagedEntry[] = [];
  for (const item of raw) {
    if (!isJsonObject(item) || typeof item['manager'] !== 'string') continue;
    entries.push({
      manager: item['manager'],
      operation: item['operation'] === 'Apply' ? 'Apply' : 'Update',
      apiVersion: typeof item['apiVersion'] === 'string' ? item['apiVersion'] : '',
      time: typeof item['time'] === 'string' ? item['time'] : '',
      subresource: typeof item['subresource'] === 'string' ? item['subresource'] : '',
      fields: fromFieldsV1(item['fieldsV1']),
    });
  }
  return entries;
}

export function writeManagedFields(obj: JsonObject, entries: readonly ManagedEntry[]): void {
  const meta = mutableMetadata(obj);
  const kept = entries.filter((e) => e.fields.size > 0);
  if (kept.length === 0) {
    delete meta['managedFields'];
    return;
  }
  meta['managedFields'] = kept.map((e) => {
    const json: JsonObject = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(e.fields),
    };
    if (e.subresource !== '') json['subresource'] = e.subresource;
    return json;
  });
}

export function isSameWriter(entry: ManagedEntry, writer: WriterIdentity, operation: ManagedOperation): boolean {
  return entry.manager === writer.manager && entry.operation === operation && entry.subresource === writer.subresource;
}

/**
 * Ownership after a non-apply write: the writer owns what it changed, others lose it, and fields
 * that disappeared are owned by nobody. A write that changes nothing leaves the entries alone.
 */
export function recordUpdate(
  entries: readonly ManagedEntry[],
  writer: WriterIdentity,
  before: JsonObject | undefined,
  after: JsonObject,
  scope: FieldScope,
): ManagedEntry[] {
  const afterPaths = leafPaths(after, scope);
  const changed = new Set<string>();
  for (const path of afterPaths) {
    if (before === undefined || !deepEqual(valueAt(before, path), valueAt(after, path))) changed.add(path);
  }
  const removed = new Set<string>();
  if (before !== undefined) for (const path of leafPaths(before, scope)) if (!afterPaths.has(path)) removed.add(path);
  if (changed.size === 0 && removed.size === 0) return [...entries];
  const next = entries.map((e) => ({ ...e, fields: new Set([...e.fields].filter((p) => !changed.has(p) && !removed.has(p))) }));
  const own = next.findIndex((e) => isSameWriter(e, writer, 'Update'));
  const ownFields = new Set([...(own >= 0 ? (next[own]?.fields ?? []) : []), ...changed]);
  const entry: ManagedEntry = { ...writer, operation: 'Update', fields: ownFields };
  if (own >= 0) next[own] = entry;
  else next.push(entry);
  return next.filter((e) => e.fields.size > 0);
}
