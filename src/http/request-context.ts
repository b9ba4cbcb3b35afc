import { randomBytes } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../telemetry/logger.js';
import type { CaMetrics } from '../telemetry/metrics.js';

/** What every request carries in ctx.state. */
export interface RequestState {
  requestId: string;
  log: Logger;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Request id (kept from X-Request-Id when it is safe), a child logger, and one log line + metrics per request. */
export function requestContextMiddleware(logger: Logger, metrics: CaMetrics): Middleware<RequestState> {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = SAFE_REQUEST_ID.test(incoming) ? incoming : randomBytes(8).toString('hex');
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ reqId: requestId });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(ctx);
      metrics.httpRequests.inc({ method: ctx.method, route, status: String(ctx.status) });
      metrics.httpRequestDuration.observe({ method: ctx.method, route }, seconds);
      ctx.state.log[logLevelOf(route, ctx.status)](
        { method: ctx.method, path: ctx.path, route, status: ctx.status, ms: Math.round(seconds * 1e4) / 10, remote: ctx.socket.remoteAddress },
        'request',
      );
    }
  };
}

/** Probes and scrapes stay quiet; every 5xx is an error line (a failing probe only a warning). */
function logLevelOf(route: string, status: number): 'debug' | 'info' | 'warn' | 'error' {
  const quiet = route === '/healthz' || route === '/readyz' || route === '/metrics';
  if (status >= 500) return quiet ? 'warn' : 'error';
  return quiet ? 'debug' : 'info';
}

/** The matched route template (bounded label cardinality), or "unmatched". */
function routeOf(ctx: object): string {
  const { _matchedRoute: matched } = ctx as { _matchedRoute?: unknown };
  return typeof matched === 'string' ? matched : 'unmatched';
}
