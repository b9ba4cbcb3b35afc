import { badRequest, conflict, STALE_OBJECT } from '../core/api-errors.js';
import { cloneJson, ensureObject, getPath, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { metadataOf, resourceVersionOf } from '../core/object-meta.js';
import type { ResourceType, ScaleSpec } from '../core/resource-type.js';

export const SCALE_KIND = { group: 'autoscaling', version: 'v1', kind: 'Scale' } as const;

export const REPLICAS_SCALE: ScaleSpec = { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], formatSpecSelector: true };

/** metav1.FormatLabelSelector: matchLabels then matchExpressions, comma-separated. */
export function formatLabelSelector(selector: JsonValue | undefined): string {
  if (!isJsonObject(selector)) return '';
  const parts: string[] = [];
  const labels = selector['matchLabels'];
  if (isJsonObject(labels)) for (const [k, v] of Object.entries(labels)) parts.push(`${k}=${String(v)}`);
  const expressions = selector['matchExpressions'];
  if (Array.isArray(expressions)) {
    for (const e of expressions) {
      if (!isJsonObject(e)) continue;
      const values = Array.isArray(e['values']) ? e['values'].map(String).join(',') : '';
      const key = String(e['key'] ?? '');
      if (e['operator'] === 'In') parts.push(`${key} in (${values})`);
      if (e['operator'] === 'NotIn') parts.push(`${key} notin (${values})`);
      if (e['operator'] === 'Exists') parts.push(key);
      if (e['operator'] === 'DoesNotExist') parts.push(`!${key}`);
    }
  }
  return parts.join(',');
}

function selectorOf(spec: ScaleSpec, obj: JsonObject): string {
  if (spec.formatSpecSelector === true) return formatLabelSelector(getPath(obj, ['spec', 'selector']));
  if (spec.labelSelectorPath === undefined) return '';
  const value = getPath(obj, spec.labelSelectorPath);
  return typeof value === 'string' ? value : '';
}

/** The autoscaling/v1 Scale view of an object. */
export function scaleView(type: ResourceType, obj: JsonObject): JsonObject {
  const spec = type.scale ?? REPLICAS_SCALE;
  const meta = metadataOf(obj);
  const metadata: JsonObject = {};
  for (const key of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp']) if (meta[key] !== undefined) metadata[key] = meta[key] ?? null;
  const replicas = getPath(obj, spec.specReplicasPath);
  const current = getPath(obj, spec.statusReplicasPath);
  const selector = selectorOf(spec, obj);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: typeof replicas === 'number' ? { replicas } : {},
    status: { replicas: typeof current === 'number' ? current : 0, ...(selector === '' ? {} : { selector }) },
  };
}

/** The object with spec replicas taken from `scale` (its resourceVersion, if any, is a precondition). */
export function withScale(type: ResourceType, live: JsonObject, scale: JsonValue): JsonObject {
  if (!isJsonObject(scale)) throw badRequest('Scale body is required');
  const requested = resourceVersionOf(scale);
  if (requested !== '' && requested !== resourceVersionOf(live)) throw conflict(type, String(metadataOf(live)['name'] ?? ''), STALE_OBJECT);
  const replicas = getPath(scale, ['spec', 'replicas']);
  const next = cloneJson(live);
  const path = (type.scale ?? REPLICAS_SCALE).specReplicasPath;
  let parent = next;
  for (const segment of path.slice(0, -1)) parent = ensureObject(parent, segment);
  parent[path[path.length - 1] ?? 'replicas'] = typeof replicas === 'number' ? replicas : 0;
  return next;
}
