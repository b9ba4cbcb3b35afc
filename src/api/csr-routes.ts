import { Router } from '@koa/router';
import { isCaError, type Ipv4Cidr } from '../ca/index.js';
import { HttpError } from '../http/http-error.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { readJsonBody } from '../http/json-body.js';
import type { RequestState } from '../http/request-context.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import { isRequestId } from '../issuance/request-id.js';
import type { CaMetrics } from '../telemetry/metrics.js';
import { httpErrorFromCaError, isServerFault } from './ca-error-status.js';
import { clientAddress } from './client-address.js';
import { parsePostCsrBody, POST_CSR_LIMITS } from './post-csr-body.js';
import type { RateLimiter } from './rate-limiter.js';
import { csrStatusBody } from './wire-format.js';

export interface CsrRoutesOptions {
  readonly issuance: Pick<IssuanceService, 'submit' | 'findRequest'>;
  /** Undefined when rate limiting is off. */
  readonly rateLimiter: RateLimiter | undefined;
  readonly trustedProxies: readonly Ipv4Cidr[];
  readonly metrics: CaMetrics;
  readonly clock?: Clock;
}

const ROUTE_POST = '/api/v1/csr';

/** POST /api/v1/csr and GET /api/v1/csr/:id, wire-compatible with the SMSGate CA. */
export function csrRouter(options: CsrRoutesOptions): Router<RequestState> {
  const router = new Router<RequestState>();
  const clock = options.clock ?? systemClock;

  router.post(ROUTE_POST, async (ctx) => {
    const requester = clientAddress(ctx.socket.remoteAddress, ctx.get('x-forwarded-for'), options.trustedProxies);
    // Charged before the body is read, so malformed requests cost the same as good ones.
    const decision = options.rateLimiter?.take(requester, clock.now().getTime()) ?? { allowed: true };
    if (!decision.allowed) {
      options.metrics.rateLimited.inc({ route: ROUTE_POST });
      options.metrics.certificateRequests.inc({ door: 'rest', outcome: 'rate_limited' });
      throw new HttpError(429, `too many requests: at most one CSR per period per client; retry in ${decision.retryAfterSeconds}s`, {
        'Retry-After': String(decision.retryAfterSeconds),
      });
    }
    const body = parsePostCsrBody(await readJsonBody(ctx, POST_CSR_LIMITS.bodyBytes));
    try {
      const { record } = await options.issuance.submit({ csrPem: body.content, type: body.type, metadata: body.metadata, requester });
      ctx.status = 202;
      ctx.set('Location', `${ROUTE_POST}/${record.id}`);
      ctx.body = csrStatusBody(record);
    } catch (error) {
      if (!isCaError(error)) throw error;
      if (isServerFault(error)) ctx.state.log?.error({ err: error }, 'the CA could not handle a CSR');
      throw httpErrorFromCaError(error);
    }
  });

  router.get(`${ROUTE_POST}/:id`, async (ctx) => {
    const id = ctx.params['id'] ?? '';
    if (!isRequestId(id)) throw new HttpError(400, 'invalid request ID: expected REQ_ followed by 26 base32 characters');
    const record = await options.issuance.findRequest(id);
    if (!record) throw new HttpError(404, `CSR request ${id} not found`);
    ctx.body = csrStatusBody(record);
  });

  return router;
}
