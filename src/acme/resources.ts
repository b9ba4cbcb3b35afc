import type { AcmeAccountRecord, AcmeAuthorizationRecord, AcmeChallengeRecord, AcmeOrderRecord } from '../store/acme-store.js';
import { ipIdentifier } from './identifiers.js';
import type { AcmeLinks } from './links.js';
import { AcmeProblem, type ProblemDocument } from './problems.js';
import { authorizationStatus, orderStatus } from './state.js';
import type { AccountJson, AuthorizationJson, AuthorizationStatus, ChallengeJson, OrderJson, OrderStatus } from './wire-types.js';

/** RFC 8555 §7.1 representations of stored records, with statuses derived at `now`. */

export function accountJson(account: AcmeAccountRecord, links: AcmeLinks): AccountJson {
  return {
    status: account.status,
    contact: [...account.contact],
    termsOfServiceAgreed: account.termsOfServiceAgreed,
    orders: links.accountOrders(account.id),
    createdAt: account.createdAt.toISOString(),
  };
}

export function challengeJson(challenge: AcmeChallengeRecord, links: AcmeLinks): ChallengeJson {
  return {
    type: challenge.type,
    url: links.challenge(challenge.id),
    status: challenge.status,
    token: challenge.token,
    ...(challenge.validatedAt ? { validated: challenge.validatedAt.toISOString() } : {}),
    ...(challenge.error ? { error: challenge.error as ProblemDocument } : {}),
  };
}

export function authorizationJson(authorization: AcmeAuthorizationRecord, links: AcmeLinks, now: Date): AuthorizationJson {
  const status = authorizationStatus(authorization, now);
  return {
    identifier: ipIdentifier(authorization.ip),
    status,
    expires: authorization.expires.toISOString(),
    challenges: shownChallenges(authorization.challenges, status).map((challenge) => challengeJson(challenge, links)),
  };
}

/** §7.1.4: pending shows what can be fulfilled; valid the challenge that succeeded; invalid the one that failed. */
function shownChallenges(challenges: readonly AcmeChallengeRecord[], status: AuthorizationStatus): readonly AcmeChallengeRecord[] {
  const wanted = status === 'valid' ? 'valid' : status === 'invalid' ? 'invalid' : undefined;
  const matching = wanted ? challenges.filter((challenge) => challenge.status === wanted) : [];
  return matching.length > 0 ? matching : challenges;
}

export interface OrderView {
  readonly json: OrderJson;
  readonly status: OrderStatus;
}

export function orderView(order: AcmeOrderRecord, authorizations: readonly AcmeAuthorizationRecord[], links: AcmeLinks, now: Date): OrderView {
  const statuses = authorizations.map((authorization) => authorizationStatus(authorization, now));
  const status = orderStatus(order, statuses, now);
  const error = order.error ?? (status === 'invalid' ? derivedOrderError(order, authorizations, statuses, now) : undefined);
  const json: OrderJson = {
    status,
    expires: order.expires.toISOString(),
    identifiers: order.ips.map(ipIdentifier),
    ...(order.notBefore ? { notBefore: order.notBefore.toISOString() } : {}),
    ...(order.notAfter ? { notAfter: order.notAfter.toISOString() } : {}),
    ...(error ? { error: error as ProblemDocument } : {}),
    authorizations: order.authorizationIds.map((id) => links.authorization(id)),
    finalize: links.finalize(order.id),
    ...(order.certificateId ? { certificate: links.certificate(order.certificateId) } : {}),
    ...(order.replaces ? { replaces: order.replaces } : {}),
  };
  return { json, status };
}

/** Why an order became invalid without a recorded error: its own expiry or a failed authorization. */
function derivedOrderError(
  order: AcmeOrderRecord,
  authorizations: readonly AcmeAuthorizationRecord[],
  statuses: readonly AuthorizationStatus[],
  now: Date,
): ProblemDocument {
  if (now.getTime() >= order.expires.getTime()) return new AcmeProblem('malformed', `the order expired at ${order.expires.toISOString()}`).toJSON();
  const failed = authorizations
    .map((authorization, index) => ({ authorization, status: statuses[index]! }))
    .filter(({ status }) => status !== 'pending' && status !== 'valid');
  const subproblems = failed.map(({ authorization, status }) => {
    const detail = authorization.challenges.find((challenge) => challenge.error)?.error?.detail ?? `the authorization is ${status}`;
    return new AcmeProblem('unauthorized', detail, { identifier: ipIdentifier(authorization.ip) });
  });
  return new AcmeProblem('unauthorized', `authorization failed for ${failed.map(({ authorization }) => authorization.ip).join(', ')}`, { subproblems }).toJSON();
}
