import { encodeSecretData, TLS_SECRET_TYPE, type Secret } from '../../kube/core-types.js';
import type { CertificateRequest, OwnerReference } from '../../custom-resources/crd-types.js';
import { ANNOTATIONS, LABELS } from '../../custom-resources/labels.js';
import { kubeTime } from '../runtime/conditions.js';
import { CERT_MANAGER_ANNOTATION_PREFIX } from './secret-claim.js';
import type { DesiredCertificate } from './certificate-spec.js';

export interface SecretContent {
  readonly chainPem: string;
  readonly rootPem: string;
  readonly keyPem: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ips: readonly string[];
  readonly revision: number;
  readonly issuerId: string;
}

export function ownerReferenceTo(cr: CertificateRequest): OwnerReference {
  return { apiVersion: cr.apiVersion, kind: cr.kind, name: cr.metadata.name ?? '', uid: cr.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/**
 * Our labels and annotations over the template's, over whatever else the existing Secret carries,
 * less cert-manager's annotations (they describe a certificate no longer there once we write).
 */
export function secretMetadataFor(cr: CertificateRequest, desired: DesiredCertificate, content: Omit<SecretContent, 'chainPem' | 'rootPem' | 'keyPem'>, existing?: Secret): Pick<Secret['metadata'], 'labels' | 'annotations'> {
  const kept = Object.entries(existing?.metadata.annotations ?? {}).filter(([key]) => !key.startsWith(CERT_MANAGER_ANNOTATION_PREFIX));
  return {
    labels: { ...(existing?.metadata.labels ?? {}), ...desired.secretLabels, [LABELS.managedSecret]: 'true' },
    annotations: {
      ...Object.fromEntries(kept),
      ...desired.secretAnnotations,
      [ANNOTATIONS.certificateRequest]: cr.metadata.name ?? '',
      [ANNOTATIONS.serialNumber]: content.serialNumber,
      [ANNOTATIONS.ipAddresses]: content.ips.join(','),
      [ANNOTATIONS.notBefore]: kubeTime(content.notBefore),
      [ANNOTATIONS.notAfter]: kubeTime(content.notAfter),
      [ANNOTATIONS.specHash]: desired.specHash,
      [ANNOTATIONS.revision]: String(content.revision),
      [ANNOTATIONS.issuer]: content.issuerId,
    },
  };
}

/**
 * The kubernetes.io/tls Secret: tls.crt = leaf + intermediate, tls.key, ca.crt = root. Owned by the
 * request (deleted with it) only when `ownerReference` is set; other owners' non-controller
 * references are kept, a controller reference of ours is dropped when it is not.
 */
export function buildSecret(cr: CertificateRequest, desired: DesiredCertificate, content: SecretContent, ownerReference: boolean, existing?: Secret): Secret {
  const others = (existing?.metadata.ownerReferences ?? []).filter((ref) => ref.controller !== true && ref.uid !== cr.metadata.uid);
  const owners = ownerReference ? [...others, ownerReferenceTo(cr)] : others;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: desired.secretName,
      namespace: cr.metadata.namespace ?? '',
      ...(existing?.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
      ...secretMetadataFor(cr, desired, content, existing),
      ...(owners.length > 0 ? { ownerReferences: owners } : {}),
    },
    type: TLS_SECRET_TYPE,
    data: encodeSecretData({ 'tls.crt': content.chainPem, 'tls.key': content.keyPem, 'ca.crt': content.rootPem }),
  };
}

/** True when the Secret lacks one of the labels/annotations the template and we require (repaired without re-issuing). */
export function metadataDrifted(secret: Secret, wanted: Pick<Secret['metadata'], 'labels' | 'annotations'>): boolean {
  const differs = (have: Record<string, string> | undefined, want: Record<string, string> | undefined) => Object.entries(want ?? {}).some(([key, value]) => have?.[key] !== value);
  return differs(secret.metadata.labels, wanted.labels) || differs(secret.metadata.annotations, wanted.annotations);
}
