import { API_GROUP, API_VERSION, CERTIFICATE_REQUEST_PLURAL, IP_CLUSTER_ISSUER_PLURAL, IP_ISSUER_PLURAL } from './crd-types.js';

/** A REST resource: enough to build its paths. */
export interface ResourceType {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export const SECRETS: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
export const CONFIG_MAPS: ResourceType = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
export const EVENTS: ResourceType = { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };
export const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true };

export const CERTIFICATE_REQUESTS: ResourceType = { group: API_GROUP, version: API_VERSION, plural: CERTIFICATE_REQUEST_PLURAL, kind: 'CertificateRequest', namespaced: true };
export const IP_ISSUERS: ResourceType = { group: API_GROUP, version: API_VERSION, plural: IP_ISSUER_PLURAL, kind: 'IPIssuer', namespaced: true };
export const IP_CLUSTER_ISSUERS: ResourceType = { group: API_GROUP, version: API_VERSION, plural: IP_CLUSTER_ISSUER_PLURAL, kind: 'IPClusterIssuer', namespaced: false };

export const CERT_MANAGER_GROUP = 'cert-manager.io';
export const CERT_MANAGER_CERTIFICATE_REQUESTS: ResourceType = { group: CERT_MANAGER_GROUP, version: 'v1', plural: 'certificaterequests', kind: 'CertificateRequest', namespaced: true };

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** The collection path (all namespaces when `namespace` is absent) or, with `name`, the object path. */
export function resourcePath(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const object = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  return `${base}${scope}/${type.plural}${object}`;
}
