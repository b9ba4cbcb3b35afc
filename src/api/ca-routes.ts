import { Router } from '@koa/router';
import type { RequestState } from '../http/request-context.js';

export interface TrustBundle {
  /** The root certificate clients install as a trust anchor. */
  readonly rootPem: string;
  /** The intermediate(s) that follow a leaf; what `certificate` already includes after the leaf. */
  readonly chainPem: string;
}

/**
 * GET /api/v1/ca: {"root": PEM, "chain": PEM} so clients can fetch what to trust;
 * GET /api/v1/ca/root.crt: the root alone as application/x-pem-file (for curl -o).
 */
export function caRouter(bundle: TrustBundle): Router<RequestState> {
  const router = new Router<RequestState>();
  router.get('/api/v1/ca', (ctx) => {
    ctx.body = { root: bundle.rootPem, chain: bundle.chainPem };
  });
  router.get('/api/v1/ca/root.crt', (ctx) => {
    ctx.type = 'application/x-pem-file';
    ctx.body = bundle.rootPem;
  });
  return router;
}
