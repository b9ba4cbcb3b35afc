import type { ObjectMeta } from './core-types.js';

/** Any object the API server stores: what informers, clients and patches handle generically. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key of caches and work queues. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? '';
}

export function namespaceOf(obj: KubeObject): string | undefined {
  return obj.metadata?.namespace;
}

export function uidOf(obj: KubeObject): string {
  return obj.metadata?.uid ?? '';
}

export function resourceVersionOf(obj: KubeObject): string {
  return obj.metadata?.resourceVersion ?? '';
}
