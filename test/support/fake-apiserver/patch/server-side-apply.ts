import { ApiError } from '../core/api-errors.js';
import { cloneJson, deepEqual, isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { keyPath, leafPaths, removeAt, valueAt } from './field-set.js';
import type { FieldScope } from './field-set.js';
import { isSameWriter, readManagedFields, writeManagedFields } from './managed-fields.js';
import type { ManagedEntry, WriterIdentity } from './managed-fields.js';

export interface ApplyOptions {
  readonly writer: WriterIdentity;
  readonly force: boolean;
  readonly scope: FieldScope;
}

interface Conflict {
  readonly manager: string;
  readonly apiVersion: string;
  readonly path: string;
}

const IDENTITY_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'managedFields', 'selfLink'];

/**
 * Server-side apply with field ownership: fields this manager applied before and no longer
 * applies are removed (unless someone else owns them), conflicting values owned by other managers
 * are a 409 unless `force`, and the manager's Apply entry becomes exactly the applied set.
 */
export function serverSideApply(live: JsonObject | undefined, applied: JsonObject, options: ApplyOptions): JsonObject {
  const config = sanitize(applied, options.scope);
  const appliedPaths = leafPaths(config, options.scope);
  const entries = live === undefined ? [] : readManagedFields(live);
  const others = entries.filter((e) => !isSameWriter(e, options.writer, 'Apply'));
  const conflicts = live === undefined ? [] : findConflicts(live, config, appliedPaths, others);
  if (conflicts.length > 0 && !options.force) throw conflictError(conflicts);
  const result = live === undefined ? {} : cloneJson(live);
  const previous = entries.find((e) => isSameWriter(e, options.writer, 'Apply'))?.fields ?? new Set<string>();
  for (const path of previous) {
    if (!appliedPaths.has(path) && !others.some((e) => e.fields.has(path))) removeAt(result, path);
  }
  mergeInto(result, config);
  const forced = new Set(conflicts.map((c) => c.path));
  const next: ManagedEntry[] = others.map((e) => ({ ...e, fields: new Set([...e.fields].filter((p) => !forced.has(p))) }));
  next.push({ ...options.writer, operation: 'Apply', fields: appliedPaths });
  const ordered = live === undefined ? next : orderLikeLive(entries, next, options.writer);
  writeManagedFields(result, ordered);
  return result;
}

function sanitize(applied: JsonObject, scope: FieldScope): JsonObject {
  const config = cloneJson(applied);
  if (scope === 'main') delete config['status'];
  const meta = config['metadata'];
  if (isJsonObject(meta)) for (const key of IDENTITY_METADATA) delete meta[key];
  return config;
}

function findConflicts(live: JsonObject, config: JsonObject, paths: Set<string>, others: readonly ManagedEntry[]): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const entry of others) {
    for (const path of entry.fields) {
      if (paths.has(path) && !deepEqual(valueAt(live, path), valueAt(config, path))) {
        conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, path });
      }
    }
  }
  return conflicts;
}

function mergeInto(target: JsonObject, config: JsonObject): void {
  for (const [key, value] of Object.entries(config)) {
    if (value === null) continue;
    const current = target[key];
    if (isJsonObject(value) && isJsonObject(current)) mergeInto(current, value);
    else target[key] = cloneJson(value);
  }
}

function orderLikeLive(before: readonly ManagedEntry[], after: ManagedEntry[], writer: WriterIdentity): ManagedEntry[] {
  const index = before.findIndex((e) => isSameWriter(e, writer, 'Apply'));
  if (index < 0) return after;
  const own = after.pop();
  if (own !== undefined) after.splice(Math.min(index, after.length), 0, own);
  return after;
}

function dotted(path: string): string {
  return keyPath(path)
    .map((s) => `.${s}`)
    .join('');
}

function conflictError(conflicts: readonly Conflict[]): ApiError {
  const count = conflicts.length;
  const first = conflicts[0];
  const message =
    count === 1 && first !== undefined
      ? `Apply failed with 1 conflict: conflict with "${first.manager}" using ${first.apiVersion}: ${dotted(first.path)}`
      : `Apply failed with ${count} conflicts: ${conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${dotted(c.path)}`).join('\n')}`;
  return new ApiError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}" using ${c.apiVersion}`,
      field: dotted(c.path),
    })),
  });
}
