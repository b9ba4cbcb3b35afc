import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { SignedCrl } from '../ca/index.js';
import { HttpError } from '../http/http-error.js';
import type { RequestState } from '../http/request-context.js';

/** Where the current CRL comes from (the issuance layer's CrlPublisher). */
export interface CrlSource {
  current(): Promise<SignedCrl>;
  /**
   * The CRL of one intermediate of the CA by its key identifier (lowercase hex): after a rollover
   * the former intermediates' leaves name theirs. Undefined: no such intermediate (404).
   */
  ofIssuer?(keyIdentifier: string): Promise<SignedCrl | undefined>;
}

export const CRL_PATH = '/crl';
export const CRL_PEM_PATH = '/crl.pem';

/**
 * GET /crl: the signing CA's CRL as DER (application/pkix-crl, RFC 2585), what a CRL Distribution
 * Point names; GET /crl.pem: the same CRL as PEM. Not secret, so caches may keep it but must
 * revalidate (the ETag names the cRLNumber): a revocation replaces it before its nextUpdate.
 * GET /crl/<key id> (and .pem): the CRL of that intermediate, the active one or a former one.
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
  const ofIssuer = source.ofIssuer?.bind(source);
  if (ofIssuer) {
    router.get(`${CRL_PATH}/:issuer`, async (ctx) => {
      const [keyIdentifier, form] = splitForm(ctx.params['issuer'] ?? '');
      const crl = /^[0-9a-f]{16,128}$/i.test(keyIdentifier) ? await ofIssuer(keyIdentifier.toLowerCase()) : undefined;
      if (!crl) throw new HttpError(404, `no CRL is published for an intermediate with key identifier ${keyIdentifier}`);
      if (answeredFromCache(ctx, crl, form)) return;
      ctx.type = form === 'der' ? 'application/pkix-crl' : 'application/x-pem-file';
      ctx.body = form === 'der' ? Buffer.from(crl.der.buffer, crl.der.byteOffset, crl.der.byteLength) : crl.pem;
    });
  }
  return router;
}

/** "<key id>" (DER) or "<key id>.pem". */
function splitForm(name: string): [string, 'der' | 'pem'] {
  return name.endsWith('.pem') ? [name.slice(0, -4), 'pem'] : [name, 'der'];
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
