import type { ResourceType } from '../kube/resource-types.js';
import { API_GROUP, API_VERSION, CERTIFICATE_REQUEST_PLURAL, IP_CLUSTER_ISSUER_PLURAL, IP_ISSUER_PLURAL } from './crd-types.js';

/** Our resources of group smsgate-ca.sms-gate.app, and cert-manager's CertificateRequest which the controller also serves. */
export const CERTIFICATE_REQUESTS: ResourceType = { group: API_GROUP, version: API_VERSION, plural: CERTIFICATE_REQUEST_PLURAL, kind: 'CertificateRequest', namespaced: true };
export const IP_ISSUERS: ResourceType = { group: API_GROUP, version: API_VERSION, plural: IP_ISSUER_PLURAL, kind: 'IPIssuer', namespaced: true };
export const IP_CLUSTER_ISSUERS: ResourceType = { group: API_GROUP, version: API_VERSION, plural: IP_CLUSTER_ISSUER_PLURAL, kind: 'IPClusterIssuer', namespaced: false };

export const CERT_MANAGER_GROUP = 'cert-manager.io';
export const CERT_MANAGER_CERTIFICATE_REQUESTS: ResourceType = { group: CERT_MANAGER_GROUP, version: 'v1', plural: 'certificaterequests', kind: 'CertificateRequest', namespaced: true };
