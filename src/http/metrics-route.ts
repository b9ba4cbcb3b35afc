import { Router } from '@koa/router';
import type { Registry } from 'prom-client';
import type { RequestState } from './request-context.js';

export function metricsRouter(registry: Registry): Router<RequestState> {
  const router = new Router<RequestState>();
  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
