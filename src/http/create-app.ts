import Koa from 'koa';
import type { Logger } from '../telemetry/logger.js';
import type { CaMetrics } from '../telemetry/metrics.js';
import { errorEnvelopeMiddleware, type ErrorTranslator } from './error-envelope.js';
import { requestContextMiddleware, type RequestState } from './request-context.js';

export type HttpApp = Koa<RequestState>;

const CLIENT_GONE: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * The shared Koa application: request ids, logging, metrics and error envelopes. Front doors
 * (REST, docs, ACME later) add their routers with `app.use(router.routes())`; a door with its own
 * error format (ACME problem documents) catches its errors inside its router.
 */
export function createHttpApp(options: { readonly logger: Logger; readonly metrics: CaMetrics; readonly translateError?: ErrorTranslator }): HttpApp {
  const app = new Koa<RequestState>();
  app.silent = true;
  // What escapes every middleware (a response stream failing, a client gone mid-answer) still gets a log line.
  app.on('error', (error: NodeJS.ErrnoException, ctx?: { state?: Partial<RequestState> }) => {
    const log = ctx?.state?.log ?? options.logger;
    log[CLIENT_GONE.has(error.code ?? '') ? 'debug' : 'error']({ err: error }, 'the response failed');
  });
  app.use(requestContextMiddleware(options.logger, options.metrics));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  app.use(errorEnvelopeMiddleware(options.translateError));
  return app;
}
