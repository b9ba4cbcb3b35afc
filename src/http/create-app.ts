import Koa from 'koa';
import type { Logger } from '../telemetry/logger.js';
import type { CaMetrics } from '../telemetry/metrics.js';
import { errorEnvelopeMiddleware, type ErrorTranslator } from './error-envelope.js';
import { requestContextMiddleware, type RequestState } from './request-context.js';

export type HttpApp = Koa<RequestState>;

/**
 * The shared Koa application: request ids, logging, metrics and error envelopes. Front doors
 * (REST, docs, ACME later) add their routers with `app.use(router.routes())`; a door with its own
 * error format (ACME problem documents) catches its errors inside its router.
 */
export function createHttpApp(options: { readonly logger: Logger; readonly metrics: CaMetrics; readonly translateError?: ErrorTranslator }): HttpApp {
  const app = new Koa<RequestState>();
  app.silent = true;
  app.use(requestContextMiddleware(options.logger, options.metrics));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  app.use(errorEnvelopeMiddleware(options.translateError));
  return app;
}
