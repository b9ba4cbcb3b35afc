import { Router } from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import type { RequestState } from '../http/request-context.js';
import { CONSOLE_PAGE } from './console-page.js';
import { CONSOLE_ENTRY, loadConsoleScripts } from './console-scripts.js';
import { CONSOLE_STYLE } from './console-style.js';

/**
 * Everything the page may load comes from this server; it may only talk to this server; it cannot
 * be framed, submit forms elsewhere or change its base URL.
 */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const CONSOLE_PATH = '/console';

/** GET /console (the admin console page), /console/console.css and its modules /console/*.js. */
export function consoleRouter(scripts: ReadonlyMap<string, string> = loadConsoleScripts()): Router<RequestState> {
  const router = new Router<RequestState>();
  const page = (ctx: Context) => {
    if (!scripts.has(CONSOLE_ENTRY)) throw new HttpError(503, 'the admin console is not built: run npm run build');
    answer(ctx, 'text/html; charset=utf-8', CONSOLE_PAGE);
  };
  router.get(CONSOLE_PATH, page);
  router.get(`${CONSOLE_PATH}/`, page);
  router.get(`${CONSOLE_PATH}/console.css`, (ctx) => answer(ctx, 'text/css; charset=utf-8', CONSOLE_STYLE));
  router.get(`${CONSOLE_PATH}/:module`, (ctx) => {
    const source = scripts.get(ctx.params['module'] ?? '');
    if (source === undefined) throw new HttpError(404, `no such console file: ${ctx.path}`);
    answer(ctx, 'text/javascript; charset=utf-8', source);
  });
  return router;
}

function answer(ctx: Context, type: string, body: string): void {
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
  ctx.type = type;
  ctx.body = body;
}
