import type { KeyObject } from 'node:crypto';
import type { Middleware } from 'koa';
import { HttpError } from '../http/http-error.js';
import type { RequestState } from '../http/request-context.js';
import type { Clock } from '../shared/clock.js';
import type { AdminIdentity, AdminTokenVerifier } from '../store/interfaces.js';
import { checkClientCertificate, type CertificateAdmin } from './admin-client-certificate.js';

/** Who made an admin request, and by which credential. */
export type AdminPrincipal = { readonly method: 'bearer-token'; readonly token: AdminIdentity } | { readonly method: 'client-certificate'; readonly certificate: CertificateAdmin };

/** The admin API's request state: who the credential belongs to. */
interface AdminState extends RequestState {
  admin?: AdminPrincipal;
}

export interface AdminAuthenticationOptions {
  readonly tokens: AdminTokenVerifier;
  /** Set when --admin-client-ca is: client certificates authenticate too. */
  readonly clientCertificates?: {
    readonly clock: Clock;
    /** The keys of this CA's root and signing intermediate now: a chain through them is never an admin's. */
    readonly ownCaKeys: () => readonly KeyObject[];
  };
}

/** The identity adminAuthentication established for this request. */
export function adminOf(ctx: { state: RequestState }): AdminPrincipal {
  const { admin } = ctx.state as AdminState;
  if (!admin) throw new Error('admin route reached without authentication');
  return admin;
}

const REALM = 'Bearer realm="smsgate-ca admin"';
const FINGERPRINT_SHOWN = 16;

/**
 * How an administrator is named in the audit log and the records: "name (token id)" for a token,
 * "subject (certificate sha256:first 16 hex digits)" for a client certificate.
 */
export function actorOf(principal: AdminPrincipal): string {
  if (principal.method === 'bearer-token') return `${principal.token.name} (${principal.token.tokenId})`;
  return `${principal.certificate.subject} (certificate sha256:${principal.certificate.fingerprint.slice(0, FINGERPRINT_SHOWN)})`;
}

/**
 * RFC 6750 bearer authentication, and with --admin-client-ca the connection's client certificate.
 * Every credential presented must be valid, so a mistake is never masked by the other one: a
 * wrong token is 401 even over a valid certificate, and a refused certificate is 401 even with a
 * valid token. When both are valid the token names the actor (the credential this request chose;
 * a browser may offer its certificate on its own). Nothing presented is 401 too; all with the error
 * envelope and a WWW-Authenticate challenge. Answers are never cached.
 */
export function adminAuthentication(options: AdminAuthenticationOptions): Middleware<RequestState> {
  return async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    const certificate = options.clientCertificates ? checkClientCertificate(ctx.req.socket, options.clientCertificates.clock.now(), options.clientCertificates.ownCaKeys) : { kind: 'absent' as const };
    if (certificate.kind === 'refused') throw new HttpError(401, certificate.reason, { 'WWW-Authenticate': REALM });
    const header = ctx.get('authorization');
    const token = header === '' ? undefined : tokenOf(header, options.tokens);
    const principal: AdminPrincipal | undefined = token ? { method: 'bearer-token', token } : certificate.kind === 'valid' ? { method: 'client-certificate', certificate: certificate.admin } : undefined;
    if (!principal) throw new HttpError(401, missingCredentialMessage(options), { 'WWW-Authenticate': REALM });
    if (principal.method === 'client-certificate') refuseCrossSiteChange(ctx.method, ctx.get('content-type'));
    (ctx.state as AdminState).admin = principal;
    ctx.state.log = ctx.state.log.child({ admin: actorOf(principal) });
    await next();
  };
}

function tokenOf(header: string, tokens: AdminTokenVerifier): AdminIdentity {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match) throw new HttpError(401, 'an admin bearer token is required: the Authorization header is not "Bearer TOKEN"', { 'WWW-Authenticate': `${REALM}, error="invalid_request"` });
  const identity = tokens.verify(match[1]!);
  if (!identity) throw new HttpError(401, 'the bearer token is not valid: unknown, mistyped or revoked', { 'WWW-Authenticate': `${REALM}, error="invalid_token"` });
  return identity;
}

function missingCredentialMessage(options: AdminAuthenticationOptions): string {
  const token = 'an admin bearer token is required: Authorization: Bearer TOKEN (smsgate-ca admin token create)';
  return options.clientCertificates ? `${token}, or a client certificate from --admin-client-ca` : token;
}

/**
 * A browser presents its client certificate to any page's request, so a change authenticated by
 * one alone must be JSON: a cross-site form or no-cors fetch cannot send application/json without
 * a CORS preflight, which this server never grants.
 */
function refuseCrossSiteChange(method: string, contentType: string): void {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return;
  if (contentType.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    throw new HttpError(415, 'a change authenticated by a client certificate must be sent with Content-Type: application/json (so another site cannot make it)');
  }
}
