export type ApiPath =
  | { readonly kind: 'root' }
  | { readonly kind: 'version' }
  | { readonly kind: 'health' }
  | { readonly kind: 'coreVersions' }
  | { readonly kind: 'groupList' }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'resourceList'; readonly group: string; readonly version: string }
  | { readonly kind: 'openapiV2' }
  | { readonly kind: 'openapiV3Index' }
  | { readonly kind: 'openapiV3'; readonly gvPath: string }
  | ResourcePath
  | { readonly kind: 'unknown' };

export interface ResourcePath {
  readonly kind: 'resource';
  readonly group: string;
  readonly version: string;
  /** Undefined for cluster-scoped paths and for lists across all namespaces. */
  readonly namespace: string | undefined;
  readonly resource: string;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  /** The deprecated /watch/ prefix form. */
  readonly watchPrefix: boolean;
}

const UNKNOWN: ApiPath = { kind: 'unknown' };

export function parseApiPath(pathname: string): ApiPath {
  let segments: string[];
  try {
    segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return UNKNOWN;
  }
  const [first, second, third, ...rest] = segments;
  if (first === undefined) return { kind: 'root' };
  if (first === 'version' && second === undefined) return { kind: 'version' };
  if (['healthz', 'livez', 'readyz'].includes(first)) return { kind: 'health' };
  if (first === 'openapi') return openapiPath(segments.slice(1));
  if (first === 'api') {
    if (second === undefined) return { kind: 'coreVersions' };
    return groupVersionPath('', second, segments.slice(2));
  }
  if (first === 'apis') {
    if (second === undefined) return { kind: 'groupList' };
    if (third === undefined) return { kind: 'group', group: second };
    return groupVersionPath(second, third, rest);
  }
  return UNKNOWN;
}

function openapiPath(rest: readonly string[]): ApiPath {
  if (rest.length === 1 && rest[0] === 'v2') return { kind: 'openapiV2' };
  if (rest[0] !== 'v3') return UNKNOWN;
  return rest.length === 1 ? { kind: 'openapiV3Index' } : { kind: 'openapiV3', gvPath: rest.slice(1).join('/') };
}

function groupVersionPath(group: string, version: string, rest: readonly string[]): ApiPath {
  if (rest.length === 0) return { kind: 'resourceList', group, version };
  const watchPrefix = rest[0] === 'watch';
  const parts = watchPrefix ? rest.slice(1) : rest;
  const namespaceSubresource = group === '' && parts.length === 3 && (parts[2] === 'status' || parts[2] === 'finalize');
  const base = { kind: 'resource', group, version, watchPrefix } as const;
  if (parts[0] === 'namespaces' && parts.length >= 3 && !namespaceSubresource) {
    if (parts.length > 5) return UNKNOWN;
    const [, namespace, resource = '', name, subresource] = parts;
    return { ...base, namespace, resource, name, subresource };
  }
  if (parts.length === 0 || parts.length > 3) return UNKNOWN;
  const [resource = '', name, subresource] = parts;
  return { ...base, namespace: undefined, resource, name, subresource };
}
