import { X509Certificate } from 'node:crypto';
import type { Secret } from '../../kube/core-types.js';
import { secretValue, TLS_SECRET_TYPE } from '../../kube/core-types.js';
import type { CertificateRequest } from '../../custom-resources/crd-types.js';
import { ANNOTATIONS, LABELS } from '../../custom-resources/labels.js';

/** The annotation cert-manager puts on every Secret it writes for a Certificate. */
export const CERT_MANAGER_CERTIFICATE_NAME = 'cert-manager.io/certificate-name';
/** The prefix of the annotations cert-manager writes on its Secrets (stale once we write the Secret). */
export const CERT_MANAGER_ANNOTATION_PREFIX = 'cert-manager.io/';

export type SecretClaim =
  /** This request's: written for it (by uid or by name) and not claimed by anyone else. */
  | { readonly kind: 'ours' }
  /** Not this request's yet, but it may take it over: `from` says whose it was. */
  | { readonly kind: 'adoptable'; readonly from: string }
  | { readonly kind: 'foreign'; readonly message: string };

export interface ClaimContext {
  /** The IPs the request asks for, sorted. */
  readonly ips: readonly string[];
  /** Whether a CertificateRequest of this name exists in the request's namespace. */
  requestExists(name: string): boolean;
}

/**
 * Whose a Secret is, as seen by one CertificateRequest. Secrets outlive their requests (no owner
 * reference unless asked for), so ownership is read from what we wrote on it: a controller owner
 * reference to this request, or our label with this request's name. A Secret of ours whose request
 * is gone, and a kubernetes.io/tls Secret cert-manager wrote for exactly these IPs, may be adopted.
 * Anything else, and anything another controller owns, is never overwritten.
 */
export function claimOf(secret: Secret, cr: CertificateRequest, context: ClaimContext): SecretClaim {
  const name = secret.metadata.name ?? '';
  const controllerRef = (secret.metadata.ownerReferences ?? []).find((ref) => ref.controller === true);
  if (controllerRef) {
    if (controllerRef.uid === cr.metadata.uid && controllerRef.kind === cr.kind) return { kind: 'ours' };
    return { kind: 'foreign', message: `Secret ${name} is controlled by ${controllerRef.kind} ${controllerRef.name}; refusing to overwrite it` };
  }
  if (secret.metadata.labels?.[LABELS.managedSecret] === 'true') return claimOfOurs(secret, cr, context);
  if (secret.metadata.annotations?.[CERT_MANAGER_CERTIFICATE_NAME] !== undefined) return claimOfCertManagers(secret, context);
  return { kind: 'foreign', message: `Secret ${name} exists and was not written by smsgate-ca or cert-manager; refusing to overwrite it` };
}

function claimOfOurs(secret: Secret, cr: CertificateRequest, context: ClaimContext): SecretClaim {
  const writtenFor = secret.metadata.annotations?.[ANNOTATIONS.certificateRequest] ?? '';
  if (writtenFor === cr.metadata.name) return { kind: 'ours' };
  if (writtenFor !== '' && context.requestExists(writtenFor)) {
    return { kind: 'foreign', message: `Secret ${secret.metadata.name ?? ''} belongs to CertificateRequest ${writtenFor}; refusing to overwrite it` };
  }
  return { kind: 'adoptable', from: `CertificateRequest ${writtenFor || '(unnamed)'}, which no longer exists` };
}

function claimOfCertManagers(secret: Secret, context: ClaimContext): SecretClaim {
  const name = secret.metadata.name ?? '';
  const certificate = secret.metadata.annotations?.[CERT_MANAGER_CERTIFICATE_NAME] ?? '';
  if (secret.type !== TLS_SECRET_TYPE) return { kind: 'foreign', message: `Secret ${name} was written by cert-manager but is of type ${secret.type ?? 'Opaque'}, not ${TLS_SECRET_TYPE}; refusing to overwrite it` };
  const ips = certificateIps(secretValue(secret, 'tls.crt'));
  if (ips === undefined) return { kind: 'foreign', message: `Secret ${name} was written by cert-manager but its tls.crt does not parse; refusing to overwrite it` };
  if (ips.join(',') !== [...context.ips].sort().join(',')) {
    return { kind: 'foreign', message: `Secret ${name} was written by cert-manager for IPs [${ips.join(', ')}], not [${context.ips.join(', ')}]; refusing to overwrite it` };
  }
  return { kind: 'adoptable', from: `cert-manager Certificate ${certificate}` };
}

/** The IP addresses in a PEM chain's first certificate, sorted; undefined when it does not parse. */
function certificateIps(chainPem: string | undefined): string[] | undefined {
  if (!chainPem) return undefined;
  try {
    const leaf = new X509Certificate(chainPem);
    return (leaf.subjectAltName ?? '')
      .split(', ')
      .filter((entry) => entry.startsWith('IP Address:'))
      .map((entry) => entry.slice('IP Address:'.length))
      .sort();
  } catch {
    return undefined;
  }
}
