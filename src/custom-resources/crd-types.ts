import type { Condition, ObjectMeta } from '../kube/core-types.js';

/**
 * Types for the custom resources of group `smsgate-ca.sms-gate.app`, written by hand to match the CRDs in
 * `crds/` (a unit test keeps the constants and the CRD enums in step). Optional fields are the ones
 * the API server may leave out; fields with a CRD default are still optional here because objects
 * built in code before they reach the API server do not carry them yet.
 */

export const API_GROUP = 'smsgate-ca.sms-gate.app';
export const API_VERSION = 'v1alpha1';
export const GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

export const CERTIFICATE_REQUEST_KIND = 'CertificateRequest';
export const CERTIFICATE_REQUEST_PLURAL = 'certificaterequests';
export const IP_ISSUER_KIND = 'IPIssuer';
export const IP_ISSUER_PLURAL = 'ipissuers';
export const IP_CLUSTER_ISSUER_KIND = 'IPClusterIssuer';
export const IP_CLUSTER_ISSUER_PLURAL = 'ipclusterissuers';

export const CERTIFICATE_TYPES = ['webhook', 'private_server'] as const;
export type CertificateRequestType = (typeof CERTIFICATE_TYPES)[number];

export const PRIVATE_KEY_ALGORITHMS = ['ECDSA', 'RSA'] as const;
export type PrivateKeyAlgorithm = (typeof PRIVATE_KEY_ALGORITHMS)[number];

export const PRIVATE_KEY_SIZES = { ECDSA: [256, 384], RSA: [2048, 3072, 4096] } as const;
export type PrivateKeySize = (typeof PRIVATE_KEY_SIZES)[PrivateKeyAlgorithm][number];

export const ROTATION_POLICIES = ['Always', 'Never'] as const;
export type RotationPolicy = (typeof ROTATION_POLICIES)[number];

export const ISSUER_KINDS = [IP_ISSUER_KIND, IP_CLUSTER_ISSUER_KIND] as const;
export type IssuerKind = (typeof ISSUER_KINDS)[number];

/** CRD defaults, for code that reads a spec the API server has not defaulted (e.g. in tests). */
export const CERTIFICATE_REQUEST_DEFAULTS = {
  type: 'webhook',
  duration: '8760h',
  privateKey: { algorithm: 'ECDSA', rotationPolicy: 'Always', sizes: { ECDSA: 256, RSA: 2048 } },
  issuerRef: { kind: IP_ISSUER_KIND, group: API_GROUP },
} as const;

export const MAX_DURATION = '8760h';

/**
 * cert-manager's names of the usages this CA issues (the CRD's enum): the key usages the leaf
 * profile carries, and `server auth` / `client auth` as the extended key usage. Without any extended
 * usage the certificate is for server auth.
 */
export const CERTIFICATE_USAGES = ['digital signature', 'signing', 'key encipherment', 'server auth', 'client auth'] as const;
export type CertificateUsage = (typeof CERTIFICATE_USAGES)[number];

export const CONDITION_TYPES = { ready: 'Ready', issuing: 'Issuing' } as const;
export type ConditionType = (typeof CONDITION_TYPES)[keyof typeof CONDITION_TYPES];

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

/** Reasons the controller sets; the CRD keeps `reason` a free string so new ones need no CRD change. */
export const CERTIFICATE_REQUEST_REASONS = [
  'Initializing',
  'Issued',
  'Pending',
  'Failed',
  'PolicyViolation',
  'Issuing',
  'Renewing',
  // The controller's own refusals: a malformed spec, a Secret owned by someone else, a REST request the worker denied.
  'InvalidSpec',
  'SecretConflict',
  'Denied',
] as const;
export type CertificateRequestReason = (typeof CERTIFICATE_REQUEST_REASONS)[number];

/** CANotUsable: the operator's own CA exists but cannot sign (expired, or too near its end under the refuse policy). */
export const ISSUER_REASONS = ['Ready', 'Invalid', 'CANotFound', 'CANotUsable'] as const;
export type IssuerReason = (typeof ISSUER_REASONS)[number];

export type { ObjectMeta, OwnerReference } from '../kube/core-types.js';

export type { Condition } from '../kube/core-types.js';

export interface PrivateKeySpec {
  algorithm?: PrivateKeyAlgorithm;
  /** ECDSA: 256 | 384 (default 256); RSA: 2048 | 3072 | 4096 (default 2048). */
  size?: PrivateKeySize;
  rotationPolicy?: RotationPolicy;
}

export interface SecretTemplate {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface IssuerRef {
  name: string;
  kind?: IssuerKind;
  group?: typeof API_GROUP;
}

interface CertificateRequestSpecCommon {
  type?: CertificateRequestType;
  /** Go duration in h/m/s, at most 8760h (default). */
  duration?: string;
  /** Go duration; absent means renew at 2/3 of the issued lifetime. Must be shorter than `duration`. */
  renewBefore?: string;
  issuerRef?: IssuerRef;
  /** Default: server auth. `client auth` (alone or with `server auth`) for mTLS clients. */
  usages?: CertificateUsage[];
}

/** The controller generates the key and writes a `kubernetes.io/tls` Secret. */
export interface SecretCertificateRequestSpec extends CertificateRequestSpecCommon {
  ipAddresses: string[];
  secretName: string;
  privateKey?: PrivateKeySpec;
  secretTemplate?: SecretTemplate;
  request?: never;
}

/** A PEM CSR is signed as is; the chain goes to `status.certificate` (REST/ACME records in a cluster). */
export interface CsrCertificateRequestSpec extends CertificateRequestSpecCommon {
  request: string;
  ipAddresses?: never;
  secretName?: never;
  privateKey?: never;
  secretTemplate?: never;
}

/** Exactly one of `ipAddresses` and `request` (a CEL rule in the CRD enforces it). */
export type CertificateRequestSpec = SecretCertificateRequestSpec | CsrCertificateRequestSpec;

export interface CertificateRequestStatus {
  conditions?: Condition[];
  /** RFC 3339 timestamps. */
  notBefore?: string;
  notAfter?: string;
  renewalTime?: string;
  lastFailureTime?: string;
  /** Lower-case hex. */
  serialNumber?: string;
  /** 1 for the first issuance, +1 on each re-issue. */
  revision?: number;
  observedGeneration?: number;
  /** With `spec.request`: leaf + intermediate, PEM. */
  certificate?: string;
  /** RFC 3339: when that certificate was revoked (REST and ACME records); final once set. */
  revokedAt?: string;
  /** RFC 5280 CRLReason code (0..10), with `revokedAt`. */
  revocationReason?: number;
}

export interface CertificateRequest {
  apiVersion: typeof GROUP_VERSION;
  kind: typeof CERTIFICATE_REQUEST_KIND;
  metadata: ObjectMeta;
  spec: CertificateRequestSpec;
  status?: CertificateRequestStatus;
}

export interface IssuerCaRef {
  /** `tls.crt` (CA certificate + chain), `tls.key`, `ca.crt` (root); IPIssuer: its namespace, IPClusterIssuer: the cluster resource namespace. */
  secretName: string;
}

export interface IssuerSpec {
  /** Absent: the operator's own CA signs. */
  ca?: IssuerCaRef;
  /** IPv4 CIDRs inside the CA's ranges; absent: all of the CA's. */
  allowedCIDRs?: string[];
}

export interface IssuerStatus {
  conditions?: Condition[];
  observedGeneration?: number;
}

export interface IPIssuer {
  apiVersion: typeof GROUP_VERSION;
  kind: typeof IP_ISSUER_KIND;
  metadata: ObjectMeta;
  spec?: IssuerSpec;
  status?: IssuerStatus;
}

export interface IPClusterIssuer {
  apiVersion: typeof GROUP_VERSION;
  kind: typeof IP_CLUSTER_ISSUER_KIND;
  metadata: ObjectMeta;
  spec?: IssuerSpec;
  status?: IssuerStatus;
}

export type AnyIssuer = IPIssuer | IPClusterIssuer;

/** `{kind}List` as the API server returns it. */
export interface ResourceList<T> {
  apiVersion: typeof GROUP_VERSION;
  kind: `${string}List`;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

export function isCsrSpec(spec: CertificateRequestSpec): spec is CsrCertificateRequestSpec {
  return typeof spec.request === 'string';
}
