import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { SignedCrl } from '../ca/index.js';
import type { RequestState } from '../http/request-context.js';

/** Where the current CRL comes from (the issuance layer's CrlPublisher). */
export interface CrlSource {
  current(): Promise<SignedCrl>;
}

export const CRL_PATH = '/crl';
export const CRL_PEM_PATH = '/crl.pem';

/**
 * GET /crl: the signing CA's CRL as DER (application/pkix-crl, RFC 2585), what a CRL Distribution
 * Point names; GET /crl.pem: the same CRL as PEM. Not secret, so caches may keep it but must
 * revalidate (the ETag names the cRLNumber): a revocation replaces it before its nextUpdate.
 */
export function crlRouter(source: CrlSource): Router<RequestState> {
  const router = new Router<RequestState>();
  router.get(CRL_PATH, async (ctx) => {
    const crl = await source.current();
    if (answeredFromCache(ctx, crl, 'der')) return;
    ctx.type = 'application/pkix-crl';
    ctx.body = Buffer.from(crl.der.buffer, crl.der.byteOffset, crl.der.byteLength);
  });
  router.get(CRL_PEM_PATH, async (ctx) => {
    const crl = await source.current();
    if (answeredFromCache(ctx, crl, 'pem')) return;
    ctx.type = 'application/x-pem-file';
    ctx.body = crl.pem;
  });
  return router;
}

/** Sets the validators; answers 304 when the client already holds this CRL. */
function answeredFromCache(ctx: Context, crl: SignedCrl, form: 'der' | 'pem'): boolean {
  ctx.set('Cache-Control', 'public, no-cache');
  ctx.set('ETag', `"crl-${crl.crlNumber}-${form}"`);
  ctx.lastModified = crl.thisUpdate;
  ctx.status = 200;
  if (!ctx.fresh) return false;
  ctx.status = 304;
  return true;
}
