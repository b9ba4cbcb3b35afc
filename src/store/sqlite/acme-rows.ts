import type {
  AcmeAccountRecord,
  AcmeAccountStatus,
  AcmeAuthorizationRecord,
  AcmeAuthorizationRecordedStatus,
  AcmeCertificateRecord,
  AcmeChallengeRecord,
  AcmeChallengeStatus,
  AcmeChallengeType,
  AcmeOrderRecord,
  AcmeOrderRecordedStatus,
  AcmeStoredProblem,
  EabKeyRecord,
} from '../acme-store.js';

export interface AccountRow {
  id: string;
  thumbprint: string;
  jwk: string;
  contact: string;
  status: string;
  tos_agreed: number;
  eab_key_id: string | null;
  created_at: number;
}

export interface OrderRow {
  id: string;
  account_id: string;
  status: string;
  ips: string;
  authorization_ids: string;
  expires: number;
  not_before: number | null;
  not_after: number | null;
  error: string | null;
  certificate_id: string | null;
  replaces: string | null;
  created_at: number;
}

export interface AuthorizationRow {
  id: string;
  account_id: string;
  order_id: string;
  ip: string;
  status: string;
  expires: number;
  created_at: number;
}

export interface ChallengeRow {
  id: string;
  authorization_id: string;
  position: number;
  type: string;
  token: string;
  status: string;
  validated_at: number | null;
  error: string | null;
}

export interface CertificateRow {
  id: string;
  serial_number: string;
  account_id: string;
  order_id: string;
  revoked_at: number | null;
  revocation_reason: number | null;
  certificate_pem: string;
  ips: string;
  not_before: number;
  not_after: number;
}

export interface EabKeyRow {
  key_id: string;
  hmac_key: Buffer;
  label: string;
  created_at: number;
  revoked_at: number | null;
  accounts: number;
}

export function accountFromRow(row: AccountRow): AcmeAccountRecord {
  return {
    id: row.id,
    thumbprint: row.thumbprint,
    jwk: JSON.parse(row.jwk) as Record<string, string>,
    contact: JSON.parse(row.contact) as string[],
    status: row.status as AcmeAccountStatus,
    termsOfServiceAgreed: row.tos_agreed === 1,
    ...(row.eab_key_id !== null ? { eabKeyId: row.eab_key_id } : {}),
    createdAt: new Date(row.created_at),
  };
}

export function orderFromRow(row: OrderRow): AcmeOrderRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    status: row.status as AcmeOrderRecordedStatus,
    ips: JSON.parse(row.ips) as string[],
    authorizationIds: JSON.parse(row.authorization_ids) as string[],
    expires: new Date(row.expires),
    ...(row.not_before !== null ? { notBefore: new Date(row.not_before) } : {}),
    ...(row.not_after !== null ? { notAfter: new Date(row.not_after) } : {}),
    ...(row.error !== null ? { error: JSON.parse(row.error) as AcmeStoredProblem } : {}),
    ...(row.certificate_id !== null ? { certificateId: row.certificate_id } : {}),
    ...(row.replaces !== null ? { replaces: row.replaces } : {}),
    createdAt: new Date(row.created_at),
  };
}

export function challengeFromRow(row: ChallengeRow): AcmeChallengeRecord {
  return {
    id: row.id,
    authorizationId: row.authorization_id,
    type: row.type as AcmeChallengeType,
    token: row.token,
    status: row.status as AcmeChallengeStatus,
    ...(row.validated_at !== null ? { validatedAt: new Date(row.validated_at) } : {}),
    ...(row.error !== null ? { error: JSON.parse(row.error) as AcmeStoredProblem } : {}),
  };
}

export function authorizationFromRow(row: AuthorizationRow, challenges: readonly ChallengeRow[]): AcmeAuthorizationRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    orderId: row.order_id,
    ip: row.ip,
    status: row.status as AcmeAuthorizationRecordedStatus,
    expires: new Date(row.expires),
    createdAt: new Date(row.created_at),
    challenges: challenges
      .filter((challenge) => challenge.authorization_id === row.id)
      .sort((a, b) => a.position - b.position)
      .map(challengeFromRow),
  };
}

export function certificateFromRow(row: CertificateRow): AcmeCertificateRecord {
  return {
    id: row.id,
    serialNumber: row.serial_number,
    accountId: row.account_id,
    orderId: row.order_id,
    chainPem: row.certificate_pem,
    ips: JSON.parse(row.ips) as string[],
    notBefore: new Date(row.not_before),
    notAfter: new Date(row.not_after),
    ...(row.revoked_at !== null ? { revokedAt: new Date(row.revoked_at), revocationReason: row.revocation_reason ?? 0 } : {}),
  };
}

export function eabKeyFromRow(row: EabKeyRow): EabKeyRecord {
  return {
    keyId: row.key_id,
    hmacKey: new Uint8Array(row.hmac_key),
    label: row.label,
    createdAt: new Date(row.created_at),
    ...(row.revoked_at !== null ? { revokedAt: new Date(row.revoked_at) } : {}),
    accounts: row.accounts,
  };
}
