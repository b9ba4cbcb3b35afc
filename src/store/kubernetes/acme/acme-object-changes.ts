import { ACME_LABELS, type AcmeAccountObject, type AcmeAuthorizationObject, type AcmeOrderObject } from '../../../custom-resources/acme-types.js';
import type { AcmeOrderRecord } from '../../acme-store.js';
import { timeText } from './acme-names.js';
import { certificateLabels } from './acme-objects.js';

/** Pure changes and judgements on ACME objects, for KubernetesAcmeStore's conditional writes. */

export function eabOf(account: AcmeAccountObject): { eabKeyId?: string } {
  const keyId = account.spec.externalAccountBinding?.keyID;
  return keyId ? { eabKeyId: keyId } : {};
}

export function newestFirst(a: AcmeOrderRecord, b: AcmeOrderRecord): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export function withAuthorizationStatus(
  object: AcmeAuthorizationObject,
  from: AcmeAuthorizationObject['status']['status'],
  to: AcmeAuthorizationObject['status']['status'],
): AcmeAuthorizationObject | undefined {
  if (object.status.status !== from) return undefined;
  return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, [ACME_LABELS.status]: to } }, status: { ...object.status, status: to } };
}

export function withOrderStatus(object: AcmeOrderObject, status: AcmeOrderObject['status']): AcmeOrderObject {
  return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, [ACME_LABELS.status]: status.status } }, status };
}

export function validOrder(object: AcmeOrderObject, certificate: { id: string; serialNumber: string; notAfter: Date }): AcmeOrderObject {
  const valid = withOrderStatus(object, { status: 'valid', certificate: { id: certificate.id, serialNumber: certificate.serialNumber, notAfter: timeText(certificate.notAfter) } });
  return { ...valid, metadata: { ...valid.metadata, labels: { ...valid.metadata.labels, ...certificateLabels(certificate) } } };
}

/** Not valid and expired, or valid with an expired certificate; never while processing. */
export function orderCollectable(object: AcmeOrderObject, at: number): boolean {
  const { status } = object.status;
  if (status === 'processing') return false;
  if (status === 'valid') return object.status.certificate !== undefined && new Date(object.status.certificate.notAfter).getTime() <= at;
  return new Date(object.spec.expires).getTime() <= at;
}
