import type { Context, Middleware } from 'koa';
import { HttpError, isHttpError } from './http-error.js';
import type { RequestState } from './request-context.js';

/** The SMSGate error body: {"error": {"message": "...", "code": N}}, code equal to the HTTP status. */
export interface ErrorEnvelope {
  readonly error: { readonly message: string; readonly code: number };
}

export function errorEnvelope(status: number, message: string): ErrorEnvelope {
  return { error: { message, code: status } };
}

/**
 * Typed errors of the layers below (a store that is unavailable…) as the HttpError they are
 * answered with; undefined for an error it does not know. The composition root supplies it, since
 * this layer knows no store.
 */
export type ErrorTranslator = (error: unknown) => HttpError | undefined;

/**
 * Turns every thrown error, and an unmatched route, into the envelope. Errors the translator
 * knows are answered as it says (and logged as warnings); any other error that is not an HttpError
 * is logged with the request id and answered 500 without details.
 */
export function errorEnvelopeMiddleware(translate: ErrorTranslator = () => undefined): Middleware<RequestState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new HttpError(404, `no route for ${ctx.method} ${ctx.path}`);
    } catch (error) {
      respondWithError(ctx, toHttpError(ctx, error, translate));
    }
  };
}

function toHttpError(ctx: Context, error: unknown, translate: ErrorTranslator): HttpError {
  if (isHttpError(error)) return error;
  const translated = translate(error);
  if (translated) {
    (ctx.state as RequestState).log?.warn({ err: error, status: translated.status }, translated.message);
    return translated;
  }
  const status = (error as { status?: unknown })?.status;
  // koa and @koa/router throw http-errors (405, 501, 400 for malformed URLs) with safe messages.
  if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: boolean }).expose) {
    return new HttpError(status, (error as Error).message, headersOf(error));
  }
  (ctx.state as RequestState).log?.error({ err: error }, 'unhandled error');
  return new HttpError(500, 'internal server error');
}

function headersOf(error: unknown): Record<string, string> {
  const headers = (error as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function respondWithError(ctx: Context, error: HttpError): void {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  ctx.body = errorEnvelope(error.status, error.message);
}
