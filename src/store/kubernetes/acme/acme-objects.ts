import { ACME_LABELS, type AcmeAccountObject, type AcmeAuthorizationObject, type AcmeOrderObject, type AcmeProblemObject } from '../../../custom-resources/acme-types.js';
import { LABELS } from '../../../custom-resources/labels.js';
import type { AcmeAccountRecord, AcmeAuthorizationRecord, AcmeChallengeRecord, AcmeOrderRecord, AcmeStoredProblem } from '../../acme-store.js';
import { digestLabel, hexOfId, keyLabel, timeOf, timeText } from './acme-names.js';

/** ACME records as ACMEAccount, ACMEOrder and ACMEAuthorization objects, and back. */

function hex(id: string): string {
  const value = hexOfId(id);
  if (value === undefined) throw new Error(`"${id}" is not an ACME id`);
  return value;
}

/** The label-safe form of an EAB key id (eab_ + base64url): its digest. */
export function eabKeyLabel(keyId: string): string {
  return digestLabel(keyId);
}

export function accountObject(account: AcmeAccountRecord, namespace: string): AcmeAccountObject {
  return {
    metadata: { name: hex(account.id), namespace, labels: accountLabels(account) },
    spec: {
      id: account.id,
      createdAt: timeText(account.createdAt),
      termsOfServiceAgreed: account.termsOfServiceAgreed,
      ...(account.eabKeyId ? { externalAccountBinding: { keyID: account.eabKeyId } } : {}),
    },
    status: { status: account.status, key: { ...account.jwk }, keyThumbprint: account.thumbprint, contact: [...account.contact] },
  };
}

export function accountLabels(account: Pick<AcmeAccountRecord, 'thumbprint' | 'eabKeyId'>): Record<string, string> {
  return { [ACME_LABELS.key]: keyLabel(account.thumbprint), ...(account.eabKeyId ? { [ACME_LABELS.eabKey]: eabKeyLabel(account.eabKeyId) } : {}) };
}

export function accountRecordOf(object: AcmeAccountObject): AcmeAccountRecord {
  const { spec, status } = object;
  return {
    id: spec.id,
    thumbprint: status.keyThumbprint,
    jwk: { ...status.key },
    contact: [...(status.contact ?? [])],
    status: status.status,
    termsOfServiceAgreed: spec.termsOfServiceAgreed,
    ...(spec.externalAccountBinding ? { eabKeyId: spec.externalAccountBinding.keyID } : {}),
    createdAt: new Date(spec.createdAt),
  };
}

export function orderObject(order: Omit<AcmeOrderRecord, 'status' | 'error' | 'certificateId'>, namespace: string): AcmeOrderObject {
  return {
    metadata: {
      name: hex(order.id),
      namespace,
      labels: { [ACME_LABELS.account]: hex(order.accountId), [ACME_LABELS.status]: 'pending', ...(order.replaces ? { [ACME_LABELS.replaces]: digestLabel(order.replaces) } : {}) },
    },
    spec: {
      id: order.id,
      account: order.accountId,
      identifiers: [...order.ips],
      authorizations: [...order.authorizationIds],
      expires: timeText(order.expires),
      ...(order.notBefore ? { notBefore: timeText(order.notBefore) } : {}),
      ...(order.notAfter ? { notAfter: timeText(order.notAfter) } : {}),
      ...(order.replaces ? { replaces: order.replaces } : {}),
      createdAt: timeText(order.createdAt),
    },
    status: { status: 'pending' },
  };
}

export function orderRecordOf(object: AcmeOrderObject): AcmeOrderRecord {
  const { spec, status } = object;
  return {
    id: spec.id,
    accountId: spec.account,
    status: status.status,
    ips: [...spec.identifiers],
    authorizationIds: [...spec.authorizations],
    expires: new Date(spec.expires),
    ...(spec.notBefore ? { notBefore: new Date(spec.notBefore) } : {}),
    ...(spec.notAfter ? { notAfter: new Date(spec.notAfter) } : {}),
    ...(status.error ? { error: problemRecordOf(status.error) } : {}),
    ...(status.certificate ? { certificateId: status.certificate.id } : {}),
    ...(spec.replaces ? { replaces: spec.replaces } : {}),
    createdAt: new Date(spec.createdAt),
  };
}

export function authorizationObject(authorization: AcmeAuthorizationRecord, namespace: string): AcmeAuthorizationObject {
  const challengeLabels = Object.fromEntries(
    authorization.challenges.map((challenge) => [challenge.type === 'http-01' ? ACME_LABELS.http01 : ACME_LABELS.tlsAlpn01, hex(challenge.id)]),
  );
  return {
    metadata: {
      name: hex(authorization.id),
      namespace,
      labels: {
        [ACME_LABELS.account]: hex(authorization.accountId),
        [ACME_LABELS.order]: hex(authorization.orderId),
        [ACME_LABELS.ip]: authorization.ip,
        [ACME_LABELS.status]: authorization.status,
        ...challengeLabels,
      },
    },
    spec: {
      id: authorization.id,
      account: authorization.accountId,
      order: authorization.orderId,
      identifier: authorization.ip,
      createdAt: timeText(authorization.createdAt),
      challenges: authorization.challenges.map(({ id, type, token }) => ({ id, type, token })),
    },
    status: {
      status: authorization.status,
      expires: timeText(authorization.expires),
      challenges: authorization.challenges.map((challenge) => ({
        id: challenge.id,
        status: challenge.status,
        ...(challenge.validatedAt ? { validated: timeText(challenge.validatedAt) } : {}),
        ...(challenge.error ? { error: problemObjectOf(challenge.error) } : {}),
      })),
    },
  };
}

export function authorizationRecordOf(object: AcmeAuthorizationObject): AcmeAuthorizationRecord {
  const { spec, status } = object;
  const states = new Map(status.challenges.map((state) => [state.id, state]));
  const challenges: AcmeChallengeRecord[] = spec.challenges.map((challenge) => {
    const state = states.get(challenge.id);
    return {
      id: challenge.id,
      authorizationId: spec.id,
      type: challenge.type,
      token: challenge.token,
      status: state?.status ?? 'pending',
      ...(state?.validated ? { validatedAt: timeOf(state.validated) } : {}),
      ...(state?.error ? { error: problemRecordOf(state.error) } : {}),
    };
  });
  return {
    id: spec.id,
    accountId: spec.account,
    orderId: spec.order,
    ip: spec.identifier,
    status: status.status,
    expires: new Date(status.expires),
    createdAt: new Date(spec.createdAt),
    challenges,
  };
}

export function problemObjectOf(problem: AcmeStoredProblem): AcmeProblemObject {
  return JSON.parse(JSON.stringify(problem)) as AcmeProblemObject;
}

export function problemRecordOf(problem: AcmeProblemObject): AcmeStoredProblem {
  return JSON.parse(JSON.stringify(problem)) as AcmeStoredProblem;
}

/** Labels of a valid order: its certificate, by id and by serial (the ledger's label key). */
export function certificateLabels(certificate: { id: string; serialNumber: string }): Record<string, string> {
  return { [ACME_LABELS.certificate]: hex(certificate.id), [LABELS.serialNumber]: certificate.serialNumber };
}
