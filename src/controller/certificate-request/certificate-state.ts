import type { CertificateRequest } from '../../custom-resources/crd-types.js';
import { API_GROUP, CERTIFICATE_REQUEST_DEFAULTS } from '../../custom-resources/crd-types.js';
import { LABELS } from '../../custom-resources/labels.js';
import type { CertificateState } from '../../telemetry/controller-metrics.js';
import { findCondition } from '../runtime/conditions.js';

/** A request a user made (kubectl, GitOps), not a record the REST or ACME door keeps as an object. */
export function isUserRequest(cr: CertificateRequest): boolean {
  return cr.metadata.labels?.[LABELS.source] === undefined;
}

/** Pure: what the alerting series show of one request. The operator's own CA has an empty issuer name and kind. */
export function certificateStateOf(cr: CertificateRequest): CertificateState {
  const ready = findCondition(cr.status?.conditions, 'Ready')?.status;
  return {
    namespace: cr.metadata.namespace ?? '',
    name: cr.metadata.name ?? '',
    ...issuerOf(cr),
    ready: ready === 'True' || ready === 'False' ? ready : 'Unknown',
    ...dateField('notAfter', cr.status?.notAfter),
    ...dateField('renewalTime', cr.status?.renewalTime),
  };
}

function dateField<K extends 'notAfter' | 'renewalTime'>(key: K, text: string | undefined): Partial<Record<K, Date>> {
  const at = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(at) ? {} : ({ [key]: new Date(at) } as Partial<Record<K, Date>>);
}

function issuerOf(cr: CertificateRequest): Pick<CertificateState, 'issuerName' | 'issuerKind' | 'issuerGroup'> {
  const ref = cr.spec?.issuerRef;
  if (!ref) return { issuerName: '', issuerKind: '', issuerGroup: API_GROUP };
  return { issuerName: ref.name, issuerKind: ref.kind ?? CERTIFICATE_REQUEST_DEFAULTS.issuerRef.kind, issuerGroup: API_GROUP };
}
