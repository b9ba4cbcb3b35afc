import { isCaError, type Ipv4 } from '../../ca/index.js';
import { CHALLENGE_TYPES } from '../wire-types.js';
import type { AcmeAuthorizationRecord, AcmeOrderRecord, NewAcmeOrder } from '../../store/acme-store.js';
import type { AcmeDependencies, AcmeExchange, AcmeHandler, AcmeResponse } from '../acme-context.js';
import { newAcmeId, newChallengeToken } from '../acme-ids.js';
import { checkOrderIdentifiers } from '../identifiers.js';
import { malformed, notFound, problemFromCaError } from '../problems.js';
import { chargeRateLimit } from '../rate-limits.js';
import { orderView } from '../resources.js';
import { authorizationStatus, PROCESSING_RETRY_AFTER_SECONDS } from '../state.js';
import { checkOrderValidity } from '../order-validity.js';
import { checkReplaces } from '../order-replaces.js';
import { accountOf, requirePostAsGet, requireOwner } from './post-as-get.js';

/**
 * RFC 8555 §7.4 + RFC 8738: a new order for ip identifiers, one authorization per IP — a valid one
 * the account already holds for that IP when reuse is on, else a new pending one.
 */
export const postNewOrder: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('kid');
  const account = accountOf(request);
  const payload = request.payload;
  if (payload === undefined) throw malformed('newOrder needs a payload with "identifiers"');
  await chargeRateLimit(deps, 'new-order', account.id);
  const ips = checkOrderIdentifiers(payload['identifiers'], deps.settings);
  const now = deps.clock.now();
  const validity = checkOrderValidity(payload['notBefore'], payload['notAfter'], now);
  ensureCaCanSign(deps, validity.notAfter);
  const replaces = await checkReplaces(deps, exchange.links, payload['replaces'], account.id, ips);
  const reused = await reusableAuthorizations(deps, account.id, ips, now);
  const { order, authorizations } = newOrderRecord(deps, { accountId: account.id, ips, validity, replaces, reused, now });
  await deps.store.createOrder(order);
  return orderResponse(order, authorizations, exchange, deps, 201);
};

/** An order the CA could not finalize now is refused at once (503), not left to fail at finalize. */
function ensureCaCanSign(deps: AcmeDependencies, notAfter: Date | undefined): void {
  try {
    deps.issuer.ensureAvailable?.(notAfter ? { notAfter } : {});
  } catch (error) {
    if (isCaError(error)) throw problemFromCaError(error);
    throw error;
  }
}

async function reusableAuthorizations(deps: AcmeDependencies, accountId: string, ips: readonly Ipv4[], now: Date): Promise<ReadonlyMap<Ipv4, AcmeAuthorizationRecord>> {
  if (!deps.settings.reuseValidAuthz) return new Map();
  const found = await deps.store.findValidAuthorizations(accountId, ips, now);
  return new Map(found.filter((authorization) => authorizationStatus(authorization, now) === 'valid').map((authorization) => [authorization.ip, authorization]));
}

interface OrderDraft {
  readonly accountId: string;
  readonly ips: readonly Ipv4[];
  readonly validity: { notBefore?: Date; notAfter?: Date };
  readonly replaces: string | undefined;
  readonly reused: ReadonlyMap<Ipv4, AcmeAuthorizationRecord>;
  readonly now: Date;
}

function newOrderRecord(deps: AcmeDependencies, draft: OrderDraft): { order: NewAcmeOrder; authorizations: AcmeAuthorizationRecord[] } {
  const { accountId, ips, now } = draft;
  const id = newAcmeId();
  const pendingExpires = new Date(now.getTime() + deps.settings.pendingLifetimeMs);
  const created = ips.filter((ip) => !draft.reused.has(ip)).map((ip) => newAuthorization(id, accountId, ip, pendingExpires, now));
  const byIp = new Map([...draft.reused, ...created.map((authorization) => [authorization.ip, authorization] as const)]);
  const authorizations = ips.map((ip) => byIp.get(ip)!);
  // The order cannot outlive an authorization it reuses (Let's Encrypt does the same).
  const expires = new Date(Math.min(pendingExpires.getTime(), ...[...draft.reused.values()].map((authorization) => authorization.expires.getTime())));
  const order: NewAcmeOrder = {
    id,
    accountId,
    ips,
    authorizationIds: authorizations.map((authorization) => authorization.id),
    expires,
    ...draft.validity,
    ...(draft.replaces ? { replaces: draft.replaces } : {}),
    createdAt: now,
    authorizations: created,
  };
  return { order, authorizations };
}

function newAuthorization(orderId: string, accountId: string, ip: Ipv4, expires: Date, now: Date): AcmeAuthorizationRecord {
  const authorizationId = newAcmeId();
  return {
    id: authorizationId,
    accountId,
    orderId,
    ip,
    status: 'pending',
    expires,
    createdAt: now,
    challenges: CHALLENGE_TYPES.map((type) => ({ id: newAcmeId(), authorizationId, type, token: newChallengeToken(), status: 'pending' as const })),
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
