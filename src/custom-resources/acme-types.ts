import type { ObjectMeta } from '../kube/core-types.js';
import type { ResourceType } from '../kube/resource-types.js';
import type { GROUP_VERSION } from './crd-types.js';
import { API_GROUP, API_VERSION } from './crd-types.js';

/**
 * The ACME door's state in the cluster (crds/smsgate-ca.sms-gate.app_acme*.yaml): one object per
 * account, order and authorization (its challenges inside), in the operator's namespace, named by
 * the hex form of the ACME id; and small ACMEReservations that make one fact unique across
 * replicas (an account key, a used nonce) or hold a rate-limit window. No status subresource:
 * these are records the server writes whole, one request per change. Why this shape:
 * docs/adr/0005-acme-state-in-the-cluster.md.
 */

export const ACME_ACCOUNT_KIND = 'ACMEAccount';
export const ACME_ORDER_KIND = 'ACMEOrder';
export const ACME_AUTHORIZATION_KIND = 'ACMEAuthorization';
export const ACME_RESERVATION_KIND = 'ACMEReservation';

const acme = (kind: string, plural: string): ResourceType => ({ group: API_GROUP, version: API_VERSION, plural, kind, namespaced: true });
export const ACME_ACCOUNTS = acme(ACME_ACCOUNT_KIND, 'acmeaccounts');
export const ACME_ORDERS = acme(ACME_ORDER_KIND, 'acmeorders');
export const ACME_AUTHORIZATIONS = acme(ACME_AUTHORIZATION_KIND, 'acmeauthorizations');
export const ACME_RESERVATIONS = acme(ACME_RESERVATION_KIND, 'acmereservations');

/** Labels the ACME objects are selected by (label values: hex ids, IPs, statuses). */
export const ACME_LABELS = {
  /** Orders, authorizations: the account's hex id. */
  account: 'ca.sms-gate.app/acme-account',
  /** Authorizations: the hex id of the order that created them; ACME ledger records: the order they answer. */
  order: 'ca.sms-gate.app/acme-order',
  /** Accounts: the first 40 hex digits of the key thumbprint (status.keyThumbprint confirms). */
  key: 'ca.sms-gate.app/acme-key',
  /** Accounts created with External Account Binding: the EAB key's label-safe form. */
  eabKey: 'ca.sms-gate.app/acme-eab-key',
  /** Orders and authorizations: the recorded status. */
  status: 'ca.sms-gate.app/acme-status',
  /** Authorizations: the identifier IP. */
  ip: 'ca.sms-gate.app/acme-ip',
  /** Authorizations: the hex id of their http-01 and tls-alpn-01 challenges. */
  http01: 'ca.sms-gate.app/acme-challenge-http-01',
  tlsAlpn01: 'ca.sms-gate.app/acme-challenge-tls-alpn-01',
  /** Valid orders: the hex id of their certificate. */
  certificate: 'ca.sms-gate.app/acme-certificate',
  /** Orders renewing a certificate (RFC 9773): the first 40 hex digits of SHA-256(replaces). */
  replaces: 'ca.sms-gate.app/acme-replaces',
  /** Reservations: their type. */
  reservation: 'ca.sms-gate.app/acme-reservation',
  /** Reservations that lapse: the Unix minute from which they may be deleted. */
  expiresMinute: 'ca.sms-gate.app/acme-expires-minute',
  /** Secrets holding an External Account Binding key: "true". */
  eabSecret: 'ca.sms-gate.app/acme-eab',
} as const;

/** A Secret of this type (or labelled ACME_LABELS.eabSecret) holds one EAB key: data keyID, hmacKey (base64url text), label. */
export const EAB_SECRET_TYPE = 'smsgate-ca.sms-gate.app/acme-eab-key';

/** RFC 7807 problem members, as recorded on a challenge or an order. */
export interface AcmeProblemObject {
  type: string;
  detail: string;
  status?: number;
  identifier?: { type: string; value: string };
  subproblems?: AcmeProblemObject[];
}

interface AcmeObject<Kind extends string, Spec, Status> {
  apiVersion?: typeof GROUP_VERSION;
  kind?: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status: Status;
}

export type AcmeAccountObject = AcmeObject<
  typeof ACME_ACCOUNT_KIND,
  { id: string; createdAt: string; termsOfServiceAgreed: boolean; externalAccountBinding?: { keyID: string } },
  { status: 'valid' | 'deactivated' | 'revoked'; key: Record<string, string>; keyThumbprint: string; contact: string[] }
>;

export interface AcmeCertificateLink {
  id: string;
  serialNumber: string;
  notAfter: string;
  revokedAt?: string;
  revocationReason?: number;
}

export type AcmeOrderObject = AcmeObject<
  typeof ACME_ORDER_KIND,
  { id: string; account: string; identifiers: string[]; authorizations: string[]; expires: string; notBefore?: string; notAfter?: string; replaces?: string; createdAt: string },
  { status: 'pending' | 'processing' | 'valid' | 'invalid'; processingSince?: string; error?: AcmeProblemObject; certificate?: AcmeCertificateLink }
>;

export interface AcmeChallengeState {
  id: string;
  status: 'pending' | 'processing' | 'valid' | 'invalid';
  startedAt?: string;
  validated?: string;
  error?: AcmeProblemObject;
}

export type AcmeAuthorizationObject = AcmeObject<
  typeof ACME_AUTHORIZATION_KIND,
  { id: string; account: string; order: string; identifier: string; createdAt: string; challenges: Array<{ id: string; type: 'http-01' | 'tls-alpn-01'; token: string }> },
  { status: 'pending' | 'valid' | 'invalid' | 'deactivated' | 'revoked'; expires: string; challenges: AcmeChallengeState[] }
>;

export const RESERVATION_TYPES = ['AccountKey', 'Nonce', 'RateLimit'] as const;
export type ReservationType = (typeof RESERVATION_TYPES)[number];

export type AcmeReservationObject = AcmeObject<
  typeof ACME_RESERVATION_KIND,
  { type: ReservationType; account?: string; limit?: string; key?: string },
  { expires?: string; tokens?: number; updated?: string }
>;
