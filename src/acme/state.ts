import type { AcmeAccountStatus, AcmeAuthorizationRecordedStatus, AcmeChallengeStatus, AcmeOrderRecordedStatus } from '../store/acme-store.js';
import type { AuthorizationStatus, OrderStatus } from './wire-types.js';

/**
 * Status machines of RFC 8555 §7.1.6, as pure functions of what is recorded and the time. Only
 * explicit transitions are recorded (a challenge outcome, a deactivation, a finalization); the
 * statuses that follow from time or from other objects (expired, ready, invalid) are derived here
 * every time a resource is read, so they can never be stale.
 */

/**
 * Authorization (RFC 8555 §7.1.6, Figure "State Transitions for Authorization Objects"):
 * pending → valid | invalid (challenge outcome, §7.5.1) ; pending|valid → expired (time),
 * deactivated (client, §7.5.2), revoked (server).
 */
export function authorizationStatus(recorded: { readonly status: AcmeAuthorizationRecordedStatus; readonly expires: Date }, now: Date): AuthorizationStatus {
  if ((recorded.status === 'pending' || recorded.status === 'valid') && now.getTime() >= recorded.expires.getTime()) return 'expired';
  return recorded.status;
}

/**
 * Order (RFC 8555 §7.1.6, Figure "State Transitions for Order Objects"):
 * pending → ready once every authorization is valid; pending|ready → invalid when an authorization
 * fails, expires or is deactivated, or the order itself expires; ready → processing on finalize
 * (§7.4); processing → valid once the certificate is issued.
 */
export function orderStatus(
  recorded: { readonly status: AcmeOrderRecordedStatus; readonly expires: Date },
  authorizations: readonly AuthorizationStatus[],
  now: Date,
): OrderStatus {
  if (recorded.status !== 'pending') return recorded.status;
  if (now.getTime() >= recorded.expires.getTime()) return 'invalid';
  if (authorizations.some((status) => status !== 'pending' && status !== 'valid')) return 'invalid';
  if (authorizations.length > 0 && authorizations.every((status) => status === 'valid')) return 'ready';
  return 'pending';
}

/** §7.5.1: a client's response starts validation only for a pending challenge of a pending authorization. */
export function challengeMayStart(authorization: AuthorizationStatus, challenge: AcmeChallengeStatus): boolean {
  return authorization === 'pending' && challenge === 'pending';
}

/** §7.5.2: a client may deactivate an authorization that is pending or valid. */
export function authorizationMayBeDeactivated(status: AuthorizationStatus): boolean {
  return status === 'pending' || status === 'valid';
}

/** §7.4: finalize is accepted only for a ready order. */
export function orderMayBeFinalized(status: OrderStatus): boolean {
  return status === 'ready';
}

/** §7.3.6: only a valid account may act; a deactivated or revoked account's key is refused. */
export function accountMayAct(status: AcmeAccountStatus): boolean {
  return status === 'valid';
}

/** §7.4: while an order is processing the client polls it; this is how long it should wait. */
export const PROCESSING_RETRY_AFTER_SECONDS = 1;
