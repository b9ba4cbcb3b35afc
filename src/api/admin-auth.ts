import type { Middleware } from 'koa';
import { HttpError } from '../http/http-error.js';
import type { RequestState } from '../http/request-context.js';
import type { AdminIdentity, AdminTokenVerifier } from '../store/interfaces.js';

/** The admin API's request state: who the bearer token belongs to. */
interface AdminState extends RequestState {
  admin?: AdminIdentity;
}

/** The identity adminAuthentication established for this request. */
export function adminOf(ctx: { state: RequestState }): AdminIdentity {
  const { admin } = ctx.state as AdminState;
  if (!admin) throw new Error('admin route reached without authentication');
  return admin;
}

const REALM = 'Bearer realm="smsgate-ca admin"';

/** How an administrator is named in the audit log and the records: "name (token id)". */
export function actorOf(identity: AdminIdentity): string {
  return `${identity.name} (${identity.tokenId})`;
}

/**
 * RFC 6750 bearer authentication: a missing, malformed, unknown, wrong or revoked token is 401 with
 * the error envelope and a WWW-Authenticate challenge. Answers are never cached.
 */
export function adminAuthentication(tokens: AdminTokenVerifier): Middleware<RequestState> {
  return async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    const header = ctx.get('authorization');
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match) throw new HttpError(401, 'an admin bearer token is required: Authorization: Bearer TOKEN (smsgate-ca admin token create)', { 'WWW-Authenticate': REALM });
    const identity = tokens.verify(match[1]!);
    if (!identity) {
      throw new HttpError(401, 'the bearer token is not valid: unknown, mistyped or revoked', { 'WWW-Authenticate': `${REALM}, error="invalid_token"` });
    }
    (ctx.state as AdminState).admin = identity;
    ctx.state.log = ctx.state.log.child({ admin: actorOf(identity) });
    await next();
  };
}
