import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { RequestState } from '../http/request-context.js';
import type { AcmeDependencies, AcmeExchange, AcmeHandler, AcmeResponse } from './acme-context.js';
import { postAccount, postNewAccount } from './handlers/account.js';
import { postAuthorization } from './handlers/authorization.js';
import { postCertificate } from './handlers/certificate.js';
import { postChallenge } from './handlers/challenge.js';
import { getDirectory, getNewNonce, headNewNonce } from './handlers/directory.js';
import { postFinalize } from './handlers/finalize.js';
import { postKeyChange } from './handlers/key-change.js';
import { postNewOrder, postOrder } from './handlers/order.js';
import { postAccountOrders } from './handlers/orders-list.js';
import { getRenewalInfo } from './handlers/renewal-info.js';
import { postRevokeCert } from './handlers/revoke.js';
import { readJoseBody } from './jose-body.js';
import { ACME_ID, ACME_PREFIX, AcmeLinks, linkHeader } from './links.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import { AcmeProblem, isAcmeProblem, malformed, notFound, problemFromStoreFault } from './problems.js';

interface Resource {
  readonly path: string;
  readonly methods: Partial<Record<'GET' | 'HEAD' | 'POST', AcmeHandler>>;
}

/** Every ACME resource (RFC 8555 §7.1) under /acme, with the methods it answers. */
const RESOURCES: readonly Resource[] = [
  { path: '/directory', methods: { GET: getDirectory } },
  { path: '/new-nonce', methods: { HEAD: headNewNonce, GET: getNewNonce } },
  { path: '/new-account', methods: { POST: postNewAccount } },
  { path: '/acct/:id', methods: { POST: postAccount } },
  { path: '/acct/:id/orders', methods: { POST: postAccountOrders } },
  { path: '/key-change', methods: { POST: postKeyChange } },
  { path: '/new-order', methods: { POST: postNewOrder } },
  { path: '/order/:id', methods: { POST: postOrder } },
  { path: '/order/:id/finalize', methods: { POST: postFinalize } },
  { path: '/authz/:id', methods: { POST: postAuthorization } },
  { path: '/chall/:id', methods: { POST: postChallenge } },
  { path: '/cert/:id', methods: { POST: postCertificate } },
  { path: '/revoke-cert', methods: { POST: postRevokeCert } },
  { path: '/renewal-info/:certId', methods: { GET: getRenewalInfo } },
];

/** The full path of every ACME resource, e.g. /acme/order/:id/finalize (the docs page describes each). */
export const ACME_RESOURCE_PATHS: readonly string[] = RESOURCES.map((resource) => `${ACME_PREFIX}${resource.path}`);

/**
 * The ACME door as a router mounted at /acme. Every response carries a fresh Replay-Nonce and
 * Link rel="index"; every error becomes an RFC 7807 problem document (never the REST envelope).
 */
export function acmeRouter(deps: AcmeDependencies): Router<RequestState> {
  const router = new Router<RequestState>({ prefix: ACME_PREFIX });
  router.use(async (ctx, next) => {
    const links = AcmeLinks.forOrigin(originOf(ctx));
    try {
      await next();
    } catch (error) {
      writeProblem(ctx, toProblem(error, ctx, deps));
    }
    ctx.set('Replay-Nonce', deps.nonces.issue());
    ctx.append('Link', linkHeader(links.directory, 'index'));
  });
  for (const resource of RESOURCES) router.all(resource.path, dispatch(deps, resource));
  router.all('/{*rest}', () => {
    throw notFound('this ACME resource');
  });
  return router;
}

function dispatch(deps: AcmeDependencies, resource: Resource) {
  return async (ctx: Context): Promise<void> => {
    const handler = resource.methods[ctx.method as keyof Resource['methods']];
    if (!handler) {
      throw malformed(`${ctx.method} is not allowed here; use ${Object.keys(resource.methods).join(' or ')}`, {
        status: 405,
        headers: { Allow: Object.keys(resource.methods).join(', ') },
      });
    }
    const params = (ctx as Context & { params?: Record<string, string> }).params ?? {};
    if (params['id'] !== undefined && !ACME_ID.test(params['id'])) throw notFound('this resource');
    write(ctx, await handler(deps, exchangeFor(ctx, deps, params)));
  };
}

function exchangeFor(ctx: Context, deps: AcmeDependencies, params: Record<string, string>): AcmeExchange {
  const links = AcmeLinks.forOrigin(originOf(ctx));
  const url = `${originOf(ctx)}${ctx.originalUrl}`;
  return {
    ctx,
    links,
    url,
    params,
    signed: async (reference) => deps.verifier.verify(await readJoseBody(ctx, deps.settings.maxBodyBytes), url, links, reference),
  };
}

/** scheme://host[:port] as the client addressed us (Koa 3's ctx.origin is the Origin header). */
function originOf(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}

function write(ctx: Context, response: AcmeResponse): void {
  ctx.status = response.status;
  if (response.location) ctx.set('Location', response.location);
  for (const link of response.links ?? []) ctx.append('Link', linkHeader(link.url, link.rel));
  if (response.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(response.retryAfterSeconds));
  if (response.body === undefined) return;
  if (response.contentType) ctx.type = response.contentType;
  ctx.body = response.body;
}

function toProblem(error: unknown, ctx: Context, deps: AcmeDependencies): AcmeProblem {
  if (isAcmeProblem(error)) return error;
  const log = (ctx.state as Partial<RequestState>).log ?? deps.logger;
  if (isStoreUnavailable(error)) {
    log.warn({ err: error }, 'ACME request answered 503: the store is unavailable');
    return problemFromStoreFault(error);
  }
  log.error({ err: error }, 'ACME request failed');
  return new AcmeProblem('serverInternal', 'the server failed to process this request; see its log');
}

function writeProblem(ctx: Context, problem: AcmeProblem): void {
  ctx.status = problem.status;
  for (const [name, value] of Object.entries(problem.options.headers ?? {})) ctx.set(name, value);
  ctx.type = 'application/problem+json';
  ctx.body = JSON.stringify(problem.toJSON());
}
