import type { Ipv4 } from '../ca/index.js';
import type { RateLimitDecision, RateLimitSetting } from '../shared/rate-limit.js';

/**
 * The ACME door's state (RFC 8555 §7.1): accounts, orders with their authorizations and challenges,
 * the link from an order to its certificate, and External Account Binding keys. Statuses stored
 * here are the *recorded* ones; the statuses a client sees (ready, expired, invalid by expiry) are
 * derived from them and the clock by src/acme/state.ts.
 */

export type AcmeAccountStatus = 'valid' | 'deactivated' | 'revoked';
/** `pending` covers both pending and ready: readiness is derived from the authorizations. */
export type AcmeOrderRecordedStatus = 'pending' | 'processing' | 'valid' | 'invalid';
export type AcmeAuthorizationRecordedStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'revoked';
export type AcmeChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';
export type AcmeChallengeType = 'http-01' | 'tls-alpn-01';

/** A problem document as stored (RFC 7807 members); the ACME layer owns its meaning. */
export interface AcmeStoredProblem {
  readonly type: string;
  readonly detail: string;
  readonly status?: number;
  readonly identifier?: { readonly type: string; readonly value: string };
  readonly subproblems?: readonly AcmeStoredProblem[];
}

/** A public JWK reduced to its RFC 7638 members. */
export type AcmeJwk = Readonly<Record<string, string>>;

export interface AcmeAccountRecord {
  readonly id: string;
  /** RFC 7638 SHA-256 thumbprint of the key: unique across accounts. */
  readonly thumbprint: string;
  readonly jwk: AcmeJwk;
  readonly contact: readonly string[];
  readonly status: AcmeAccountStatus;
  readonly termsOfServiceAgreed: boolean;
  readonly eabKeyId?: string;
  readonly createdAt: Date;
}

export interface AcmeChallengeRecord {
  readonly id: string;
  readonly authorizationId: string;
  readonly type: AcmeChallengeType;
  readonly token: string;
  readonly status: AcmeChallengeStatus;
  readonly validatedAt?: Date;
  readonly error?: AcmeStoredProblem;
}

export interface AcmeAuthorizationRecord {
  readonly id: string;
  readonly accountId: string;
  readonly orderId: string;
  readonly ip: Ipv4;
  readonly status: AcmeAuthorizationRecordedStatus;
  readonly expires: Date;
  readonly createdAt: Date;
  readonly challenges: readonly AcmeChallengeRecord[];
}

export interface AcmeOrderRecord {
  readonly id: string;
  readonly accountId: string;
  readonly status: AcmeOrderRecordedStatus;
  /** In the order requested, canonical dotted quads. */
  readonly ips: readonly Ipv4[];
  readonly authorizationIds: readonly string[];
  readonly expires: Date;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly error?: AcmeStoredProblem;
  /** Set once valid: the ACME certificate id (which names the ledger serial). */
  readonly certificateId?: string;
  /** RFC 9773 `replaces`: the ARI certificate id this order renews. */
  readonly replaces?: string;
  readonly createdAt: Date;
}

/**
 * `authorizations` are the ones created with the order; `authorizationIds` may also name valid
 * authorizations of the same account reused from earlier orders (RFC 8555 §7.4).
 */
export type NewAcmeOrder = Omit<AcmeOrderRecord, 'status' | 'error' | 'certificateId'> & {
  readonly authorizations: readonly AcmeAuthorizationRecord[];
};

export interface AcmeCertificateRecord {
  readonly id: string;
  readonly serialNumber: string;
  readonly accountId: string;
  readonly orderId: string;
  /** Leaf + intermediate PEM, from the certificate ledger. */
  readonly chainPem: string;
  /** The certificate's IP addresses, from the ledger. */
  readonly ips: readonly Ipv4[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** From the ACME records or the ledger, whichever holds the revocation. */
  readonly revokedAt?: Date;
  readonly revocationReason?: number;
}

export interface EabKeyRecord {
  readonly keyId: string;
  /** The HMAC key (raw bytes). */
  readonly hmacKey: Uint8Array;
  readonly label: string;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
  /** How many accounts were created with this key. */
  readonly accounts: number;
}

export type KeyChangeResult = { readonly kind: 'changed' } | { readonly kind: 'conflict'; readonly accountId: string } | { readonly kind: 'stale' };

/** The ACME door's rate-limited events: new accounts per client address, new orders per account. */
export type AcmeRateLimitName = 'new-account' | 'new-order';

/** What one garbage collection removed. */
export interface AcmeCollected {
  readonly orders: number;
  readonly authorizations: number;
  /** Rate-limit windows full again, used nonces past their lifetime. */
  readonly bookkeeping: number;
}

export type ChallengeOutcome =
  | { readonly status: 'valid'; readonly at: Date; readonly authorizationExpires: Date }
  | { readonly status: 'invalid'; readonly at: Date; readonly error: AcmeStoredProblem };

export interface AcmeStore {
  /** Creates the account, or returns the one already holding this key (created false). */
  createAccount(account: AcmeAccountRecord): Promise<{ readonly account: AcmeAccountRecord; readonly created: boolean }>;
  findAccount(id: string): Promise<AcmeAccountRecord | undefined>;
  findAccountByThumbprint(thumbprint: string): Promise<AcmeAccountRecord | undefined>;
  updateContact(accountId: string, contact: readonly string[]): Promise<void>;
  /** Marks the account deactivated and its pending authorizations deactivated (RFC 8555 §7.3.6). */
  deactivateAccount(accountId: string): Promise<void>;
  /** Swaps the key if the account still holds `oldThumbprint` and no other account holds the new one. */
  changeAccountKey(accountId: string, oldThumbprint: string, next: { readonly thumbprint: string; readonly jwk: AcmeJwk }): Promise<KeyChangeResult>;

  createOrder(order: NewAcmeOrder): Promise<void>;
  findOrder(id: string): Promise<AcmeOrderRecord | undefined>;
  /** Newest first; `after` is the last id of the previous page. */
  listOrderIds(accountId: string, page: { readonly after?: string; readonly limit: number }): Promise<{ readonly ids: string[]; readonly more: boolean }>;
  /** Orders whose `replaces` is this certificate id (RFC 9773 §5). */
  findOrdersReplacing(certificateId: string): Promise<AcmeOrderRecord[]>;
  findAuthorization(id: string): Promise<AcmeAuthorizationRecord | undefined>;
  /** The order's authorizations, in the order of its authorizationIds (reused ones included). */
  findAuthorizations(orderId: string): Promise<AcmeAuthorizationRecord[]>;
  /**
   * The account's authorizations recorded valid and expiring after `now`, for any of `ips`: at most
   * one per IP, the one expiring last (authorization reuse, RFC 8555 §7.4; revocation, §7.6).
   */
  findValidAuthorizations(accountId: string, ips: readonly Ipv4[], now: Date): Promise<AcmeAuthorizationRecord[]>;
  /** The authorization holding this challenge (with all its challenges). */
  findAuthorizationOfChallenge(challengeId: string): Promise<AcmeAuthorizationRecord | undefined>;
  /** pending|valid → deactivated; false when it was in neither. */
  deactivateAuthorization(id: string): Promise<boolean>;
  /** Challenge pending → processing (since `at`) while its authorization is pending; false otherwise. */
  startChallenge(challengeId: string, at: Date): Promise<boolean>;
  /** Records the validation outcome on the challenge and its authorization together. */
  completeChallenge(challengeId: string, outcome: ChallengeOutcome): Promise<void>;
  /**
   * Challenges in `processing` whose validation started before `startedBefore`: left behind by a
   * process that stopped, to be validated again (with several replicas, a recent one may still be
   * under way elsewhere).
   */
  listProcessingChallenges(startedBefore: Date): Promise<Array<{ readonly challengeId: string; readonly authorizationId: string }>>;

  /** Order recorded pending → processing (since `at`); false when another finalize got there first. */
  beginFinalize(orderId: string, at: Date): Promise<boolean>;
  /** Order processing → valid, linked to the certificate already recorded in the ledger. */
  completeFinalize(orderId: string, certificate: { readonly id: string; readonly serialNumber: string; readonly accountId: string; readonly notAfter: Date }): Promise<void>;
  /**
   * Orders left in `processing` since before `begunBefore` (by a process that stopped mid-way) are
   * linked to the certificate the ledger holds for them, or returned to pending when nothing was
   * issued.
   */
  recoverFinalizations(newId: () => string, begunBefore: Date): Promise<{ readonly completed: number; readonly reverted: number }>;
  /** Order processing → back to pending (the CSR was refused) or invalid with an error. */
  abortFinalize(orderId: string, outcome: { readonly status: 'pending' } | { readonly status: 'invalid'; readonly error: AcmeStoredProblem }): Promise<void>;

  findCertificate(id: string): Promise<AcmeCertificateRecord | undefined>;
  findCertificateBySerial(serialNumber: string): Promise<AcmeCertificateRecord | undefined>;
  /** Not revoked → revoked; false when it already was. */
  revokeCertificate(id: string, reason: number, at: Date): Promise<boolean>;

  createEabKey(key: Omit<EabKeyRecord, 'accounts' | 'revokedAt'>): Promise<void>;
  findEabKey(keyId: string): Promise<EabKeyRecord | undefined>;
  listEabKeys(): Promise<EabKeyRecord[]>;
  revokeEabKey(keyId: string, at: Date): Promise<boolean>;

  /**
   * Charges one event to `key` under the named limit (a token bucket, src/shared/rate-limit.ts) and
   * keeps the bucket with the rest of the state, so limits hold across restarts and replicas.
   */
  chargeRateLimit(name: AcmeRateLimitName, key: string, setting: RateLimitSetting, now: Date): Promise<RateLimitDecision>;
  /**
   * Deletes what can no longer be used at `now`: authorizations past their expiry (with their
   * challenges); orders that are not valid and past their expiry, or valid with an expired
   * certificate, once no authorization created with them is left; rate-limit windows full again.
   */
  collectExpired(now: Date): Promise<AcmeCollected>;
}

/**
 * Nonces shared by every replica (RFC 8555 §6.5): one MAC key, and a record of each nonce used so
 * that no replica accepts it twice.
 */
export interface AcmeNonceStore {
  /** The MAC key every replica signs and checks nonces with (created on first use). */
  nonceKey(): Promise<Uint8Array>;
  /** Records the nonce (by a digest) as used until `expires`; false when it already was. */
  claimNonce(digest: string, expires: Date): Promise<boolean>;
}
