import { Router } from '@koa/router';
import type { RequestState } from '../http/request-context.js';
import { renderDocsPage } from './docs-page.js';
import type { OpenApiDocument } from './openapi-document.js';

/** Nothing on the page may load from elsewhere: no scripts at all, inline styles only. */
const DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** GET /docs (and /docs/index.html, the SMSGate CA's address) and GET /docs/openapi.json. */
export function docsRouter(document: OpenApiDocument): Router<RequestState> {
  const router = new Router<RequestState>();
  const html = renderDocsPage(document);
  const page = (ctx: { type: string; body: unknown; set(name: string, value: string): void }) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', DOCS_CSP);
    ctx.body = html;
  };
  router.get('/docs', page);
  router.get('/docs/', page);
  router.get('/docs/index.html', page);
  router.get('/docs/openapi.json', (ctx) => {
    ctx.body = document;
  });
  return router;
}
