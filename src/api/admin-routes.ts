import { Router } from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import { readJsonBody } from '../http/json-body.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { AdminDecisionResult } from '../issuance/issuance-types.js';
import { isRequestId } from '../issuance/request-id.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { AdminTokenVerifier, CertificateLedger, LedgerQueries } from '../store/interfaces.js';
import { actorOf, adminAuthentication, adminOf, type AdminAuthenticationOptions, type AdminPrincipal } from './admin-auth.js';
import type { RequestState } from '../http/request-context.js';
import {
  auditEventQuery,
  booleanQuery,
  certificateStateQuery,
  doorQuery,
  hexQuery,
  ipQuery,
  limitOf,
  requestStatusQuery,
  revocationReasonOf,
  sequenceQuery,
  textQuery,
} from './admin-query.js';
import { adminAuditBody, adminCertificateBody, adminRequestBody } from './admin-wire.js';

export interface AdminRoutesOptions {
  readonly issuance: Pick<IssuanceService, 'findRequest' | 'approveRequest' | 'denyRequest' | 'revokeAsAdministrator'>;
  readonly queries: LedgerQueries & Pick<CertificateLedger, 'findCertificate'>;
  readonly tokens: AdminTokenVerifier;
  /** With --admin-client-ca: client certificates authenticate too (the keys are this CA's own, which never may). */
  readonly clientCertificates?: Omit<NonNullable<AdminAuthenticationOptions['clientCertificates']>, 'clock'>;
  readonly clock?: Clock;
}

export const ADMIN_PREFIX = '/api/v1/admin';
const BODY_BYTES = 4096;
const MAX_REASON_LENGTH = 500;


/** The admin API (README "Admin API"; OpenAPI tag `admin`): every route needs an admin bearer token or client certificate. */
export function adminRouter(options: AdminRoutesOptions): Router<RequestState> {
  const router = new Router<RequestState>({ prefix: ADMIN_PREFIX });
  const clock = options.clock ?? systemClock;
  router.use(adminAuthentication({ tokens: options.tokens, ...(options.clientCertificates ? { clientCertificates: { ...options.clientCertificates, clock } } : {}) }));

  router.get('/whoami', (ctx) => {
    ctx.body = whoamiBody(adminOf(ctx));
  });
  requestRoutes(router, options);
  certificateRoutes(router, options, clock);
  auditRoutes(router, options);
  return router;
}

/** List, read, approve and deny REST requests. */
function requestRoutes(router: Router<RequestState>, options: AdminRoutesOptions): void {
  router.get('/requests', async (ctx) => {
    const query = ctx.query;
    const items = await options.queries.listRequests({
      ...optional('status', requestStatusQuery(query)),
      ...optional('awaitingApproval', booleanQuery(query, 'awaiting_approval')),
      ...optional('ip', ipQuery(query)),
      limit: limitOf(query),
    });
    ctx.body = { items: items.map(adminRequestBody) };
  });

  router.get('/requests/:id', async (ctx) => {
    ctx.body = { request: adminRequestBody(await requestOr404(options, ctx.params['id'] ?? '')) };
  });

  router.post('/requests/:id/approve', async (ctx) => {
    const id = requestIdParam(ctx.params['id']);
    answerDecision(ctx, id, await options.issuance.approveRequest(id, actorOf(adminOf(ctx))), 'waiting for an administrator');
  });

  router.post('/requests/:id/deny', async (ctx) => {
    const id = requestIdParam(ctx.params['id']);
    const reason = denyReasonOf(await readJsonBody(ctx, BODY_BYTES));
    answerDecision(ctx, id, await options.issuance.denyRequest(id, actorOf(adminOf(ctx)), reason), 'pending');
  });
}

/** List, read and revoke certificates of every door. */
function certificateRoutes(router: Router<RequestState>, options: AdminRoutesOptions, clock: Clock): void {
  router.get('/certificates', async (ctx) => {
    const query = ctx.query;
    const now = clock.now();
    const items = await options.queries.listCertificates({
      ...optional('ip', ipQuery(query)),
      ...optional('serialPrefix', hexQuery(query, 'serial')),
      ...optional('door', doorQuery(query)),
      ...optional('state', certificateStateQuery(query)),
      now,
      limit: limitOf(query),
    });
    ctx.body = { items: items.map((item) => adminCertificateBody(item, now)) };
  });

  router.get('/certificates/:serial', async (ctx) => {
    const serial = serialParam(ctx.params['serial']);
    const found = await options.queries.findCertificate(serial);
    if (!found) throw new HttpError(404, `certificate ${serial} not found`);
    ctx.body = { certificate: adminCertificateBody(found, clock.now(), true) };
  });

  router.post('/certificates/:serial/revoke', async (ctx) => {
    const serial = serialParam(ctx.params['serial']);
    const body = await readJsonBody(ctx, BODY_BYTES);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'request body must be a JSON object, e.g. {"reason": "keyCompromise"}');
    const result = await options.issuance.revokeAsAdministrator(serial, revocationReasonOf((body as Record<string, unknown>)['reason']), actorOf(adminOf(ctx)));
    if (result.kind === 'not-found') throw new HttpError(404, `certificate ${serial} not found`);
    if (result.kind === 'conflict') throw new HttpError(409, `certificate ${serial} is already revoked`);
    ctx.body = { certificate: adminCertificateBody(result.certificate, clock.now()) };
  });
}

/** The audit log, newest first, a page at a time (`before` = the last page's `next_before`). */
function auditRoutes(router: Router<RequestState>, options: AdminRoutesOptions): void {
  router.get('/audit', async (ctx) => {
    const query = ctx.query;
    const limit = limitOf(query);
    const entries = await options.queries.queryAudit({
      ...optional('requestId', textQuery(query, 'request_id')),
      ...optional('serialNumber', hexQuery(query, 'serial_number')?.toLowerCase()),
      ...optional('event', auditEventQuery(query)),
      ...optional('beforeSequence', sequenceQuery(query, 'before')),
      limit,
    });
    const last = entries.at(-1);
    ctx.body = { items: entries.map(adminAuditBody), ...(entries.length === limit && last ? { next_before: last.sequence } : {}) };
  });
}

/** Who the credential names: the token's name and id, or the certificate's subject, fingerprint, serial and end. */
function whoamiBody(principal: AdminPrincipal): Record<string, string> {
  const actor = actorOf(principal);
  if (principal.method === 'bearer-token') return { method: principal.method, token_id: principal.token.tokenId, name: principal.token.name, actor };
  const { subject, fingerprint, serialNumber, notAfter } = principal.certificate;
  return { method: principal.method, name: subject, subject, fingerprint_sha256: fingerprint, serial_number: serialNumber, not_after: notAfter.toISOString(), actor };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [key in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [key in K]?: V };
}

function requestIdParam(id: string | undefined): string {
  if (!isRequestId(id ?? '')) throw new HttpError(400, 'invalid request ID: expected REQ_ followed by 26 base32 characters');
  return id!;
}

function serialParam(serial: string | undefined): string {
  if (!/^[0-9a-fA-F]{2,64}$/.test(serial ?? '')) throw new HttpError(400, 'invalid serial number: expected hexadecimal digits');
  return serial!.toLowerCase();
}

async function requestOr404(options: AdminRoutesOptions, id: string) {
  const record = await options.issuance.findRequest(requestIdParam(id));
  if (!record) throw new HttpError(404, `CSR request ${id} not found`);
  return record;
}

function denyReasonOf(body: unknown): string {
  const reason = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)['reason'] : undefined;
  if (typeof reason !== 'string' || reason.trim() === '') throw new HttpError(400, 'a denial needs a reason: {"reason": "…"}, shown to the client');
  if (reason.length > MAX_REASON_LENGTH) throw new HttpError(400, `reason is longer than ${MAX_REASON_LENGTH} characters`);
  return reason.trim();
}

function answerDecision(ctx: Context, id: string, result: AdminDecisionResult, expected: string): void {
  if (result.kind === 'not-found') throw new HttpError(404, `CSR request ${id} not found`);
  if (result.kind === 'conflict') {
    const { record } = result;
    throw new HttpError(409, `CSR request ${id} is not ${expected}: it is ${record.status}${record.status === 'pending' ? ' and already approved, waiting for the signer' : ''}`);
  }
  ctx.body = { request: adminRequestBody(result.record) };
}
