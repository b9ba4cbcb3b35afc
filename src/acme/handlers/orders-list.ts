import type { AcmeHandler } from '../acme-context.js';
import { ACME_ID } from '../links.js';
import { malformed } from '../problems.js';
import type { OrdersListJson } from '../wire-types.js';
import { accountOf, requirePostAsGet, requireOwner } from './post-as-get.js';

/** RFC 8555 §7.1.2.1: the account's orders, newest first, paginated with Link rel="next". */
export const postAccountOrders: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('kid');
  requirePostAsGet(request);
  const account = accountOf(request);
  requireOwner(exchange.params['id'] ?? '', account.id, 'account');
  const cursor = exchange.ctx.query['cursor'];
  if (cursor !== undefined && (typeof cursor !== 'string' || !ACME_ID.test(cursor))) throw malformed('invalid "cursor"');
  const page = await deps.store.listOrderIds(account.id, { ...(cursor ? { after: cursor } : {}), limit: deps.settings.ordersPerPage });
  const body: OrdersListJson = { orders: page.ids.map((id) => exchange.links.order(id)) };
  const last = page.ids.at(-1);
  const next = page.more && last ? [{ url: `${exchange.links.accountOrders(account.id)}?cursor=${last}`, rel: 'next' }] : [];
  return { status: 200, body, links: next };
};
