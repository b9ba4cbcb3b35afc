import { CHALLENGE_TYPES } from '../wire-types.js';
import type { AcmeAuthorizationRecord, AcmeOrderRecord } from '../../store/acme-store.js';
import type { AcmeDependencies, AcmeExchange, AcmeHandler, AcmeResponse } from '../acme-context.js';
import { newAcmeId, newChallengeToken } from '../acme-ids.js';
import { checkOrderIdentifiers } from '../identifiers.js';
import { AcmeProblem, malformed, notFound } from '../problems.js';
import { orderView } from '../resources.js';
import { PROCESSING_RETRY_AFTER_SECONDS } from '../state.js';
import { checkOrderValidity } from '../order-validity.js';
import { accountOf, requirePostAsGet, requireOwner } from './post-as-get.js';

/** RFC 8555 §7.4 + RFC 8738: a new order for ip identifiers, one authorization per IP. */
export const postNewOrder: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('kid');
  const account = accountOf(request);
  const payload = request.payload;
  if (payload === undefined) throw malformed('newOrder needs a payload with "identifiers"');
  chargeNewOrder(deps, account.id);
  const ips = checkOrderIdentifiers(payload['identifiers'], deps.settings);
  const now = deps.clock.now();
  const validity = checkOrderValidity(payload['notBefore'], payload['notAfter'], now);
  if (payload['replaces'] !== undefined && typeof payload['replaces'] !== 'string') throw malformed('"replaces" must be a string');
  const order = newOrderRecord(deps, account.id, ips, validity, payload['replaces'] as string | undefined, now);
  await deps.store.createOrder(order);
  return orderResponse(order, order.authorizations, exchange, deps, 201);
};

function chargeNewOrder(deps: AcmeDependencies, accountId: string): void {
  const decision = deps.newOrderLimit?.take(accountId, deps.clock.now().getTime());
  if (decision && !decision.allowed) {
    throw new AcmeProblem('rateLimited', `too many new orders for this account; retry in ${decision.retryAfterSeconds}s`, {
      headers: { 'Retry-After': String(decision.retryAfterSeconds) },
    });
  }
}

function newOrderRecord(
  deps: AcmeDependencies,
  accountId: string,
  ips: readonly string[],
  validity: { notBefore?: Date; notAfter?: Date },
  replaces: string | undefined,
  now: Date,
) {
  const id = newAcmeId();
  const expires = new Date(now.getTime() + deps.settings.pendingLifetimeMs);
  const authorizations: AcmeAuthorizationRecord[] = ips.map((ip) => {
    const authorizationId = newAcmeId();
    return {
      id: authorizationId,
      accountId,
      orderId: id,
      ip,
      status: 'pending',
      expires,
      createdAt: now,
      challenges: CHALLENGE_TYPES.map((type) => ({ id: newAcmeId(), authorizationId, type, token: newChallengeToken(), status: 'pending' as const })),
    };
  });
  return {
    id,
    accountId,
    ips,
    authorizationIds: authorizations.map((authorization) => authorization.id),
    expires,
    ...validity,
    ...(replaces ? { replaces } : {}),
    createdAt: now,
    authorizations,
  };
}

/** POST-as-GET of an order. */
export const postOrder: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('kid');
  requirePostAsGet(request);
  const order = await ownedOrder(deps, exchange.params['id'] ?? '', accountOf(request).id);
  return orderResponse(order, await deps.store.findAuthorizations(order.id), exchange, deps, 200);
};

export async function ownedOrder(deps: AcmeDependencies, id: string, accountId: string): Promise<AcmeOrderRecord> {
  const order = await deps.store.findOrder(id);
  if (!order) throw notFound('this order');
  requireOwner(order.accountId, accountId, 'order');
  return order;
}

export function orderResponse(
  order: Omit<AcmeOrderRecord, 'status'> & Partial<Pick<AcmeOrderRecord, 'status'>>,
  authorizations: readonly AcmeAuthorizationRecord[],
  exchange: AcmeExchange,
  deps: AcmeDependencies,
  status: number,
): AcmeResponse {
  const view = orderView({ status: 'pending', ...order }, authorizations, exchange.links, deps.clock.now());
  return {
    status,
    body: view.json,
    location: exchange.links.order(order.id),
    ...(view.status === 'processing' ? { retryAfterSeconds: PROCESSING_RETRY_AFTER_SECONDS } : {}),
  };
}
