import type { CertManagerCertificateRequest, CertManagerCondition } from '../../custom-resources/cert-manager-types.js';
import { kubeTime } from '../runtime/conditions.js';

type Status = NonNullable<CertManagerCertificateRequest['status']>;

function withCondition(conditions: readonly CertManagerCondition[] | undefined, next: Omit<CertManagerCondition, 'lastTransitionTime'>, now: Date): CertManagerCondition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((item) => item.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const value: CertManagerCondition = { ...next, lastTransitionTime: previous?.status === next.status && previous.lastTransitionTime ? previous.lastTransitionTime : kubeTime(now) };
  if (index >= 0) list[index] = value;
  else list.push(value);
  return list;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export const ISSUED_MESSAGE = 'Certificate fetched from issuer successfully';

/** Pure: Ready=Unknown reason Initializing, what issuer-lib writes before anything else (only when there is no Ready yet). */
export function initializingStatus(cr: CertManagerCertificateRequest, now: Date): Status {
  return { ...cr.status, conditions: withCondition(cr.status?.conditions, { type: 'Ready', status: 'Unknown', reason: 'Initializing', message: 'smsgate-ca has started reconciling this CertificateRequest' }, now) };
}

/** Pure status builders for cert-manager CertificateRequests (base64 PEM, as cert-manager stores []byte). */
export function issuedStatus(cr: CertManagerCertificateRequest, chainPem: string, rootPem: string, now: Date, message = ISSUED_MESSAGE): Status {
  return {
    ...cr.status,
    conditions: withCondition(cr.status?.conditions, { type: 'Ready', status: 'True', reason: 'Issued', message }, now),
    certificate: base64(chainPem),
    ca: base64(rootPem),
  };
}

export function deniedStatus(cr: CertManagerCertificateRequest, message: string, now: Date): Status {
  return {
    ...cr.status,
    conditions: withCondition(cr.status?.conditions, { type: 'Ready', status: 'False', reason: 'Denied', message }, now),
    failureTime: kubeTime(now),
  };
}

/** A refusal: final, with InvalidRequest=True naming why. */
export function refusedStatus(cr: CertManagerCertificateRequest, invalidReason: string, message: string, now: Date): Status {
  const ready = withCondition(cr.status?.conditions, { type: 'Ready', status: 'False', reason: 'Failed', message: `Failed to sign certificate: ${message}` }, now);
  return {
    ...cr.status,
    conditions: withCondition(ready, { type: 'InvalidRequest', status: 'True', reason: invalidReason, message }, now),
    failureTime: kubeTime(now),
  };
}

/** Final after retrying: Ready=False reason Failed with the failure time, and no InvalidRequest (the request itself was fine). */
export function failedStatus(cr: CertManagerCertificateRequest, message: string, now: Date): Status {
  return {
    ...cr.status,
    conditions: withCondition(cr.status?.conditions, { type: 'Ready', status: 'False', reason: 'Failed', message }, now),
    failureTime: kubeTime(now),
  };
}

/** Not final: the issuer is missing or not ready, or signing failed in passing; cert-manager shows it and we retry. */
export function pendingStatus(cr: CertManagerCertificateRequest, message: string, now: Date): Status {
  return { ...cr.status, conditions: withCondition(cr.status?.conditions, { type: 'Ready', status: 'False', reason: 'Pending', message }, now) };
}
