import type { CaError, CaErrorClass } from '../ca/index.js';
import { HttpError } from '../http/http-error.js';

/** Seconds a client should wait before sending the same request again after a passing fault. */
export const RETRY_AFTER_SECONDS = 5;

const STATUS_OF_CLASS = {
  malformed: 400,
  policy: 400,
  unsatisfiable: 400,
  server: 500,
  retryable: 503,
} as const satisfies Record<CaErrorClass, number>;

/**
 * A core refusal as a REST error. The requester's faults are 400 (413 for oversize input) with a
 * message that names the field or IP and why; server faults are 500 without internals (the caller
 * logs the error), passing ones 503 with Retry-After and the core's sentence (written for the requester:
 * it says what is missing, not how the server is built).
 */
export function httpErrorFromCaError(error: CaError): HttpError {
  const errorClass = error.errorClass;
  const status = error.reason === 'input_too_large' ? 413 : STATUS_OF_CLASS[errorClass];
  if (errorClass === 'server') return new HttpError(status, 'the CA could not handle this request; see the server log');
  if (errorClass === 'retryable') {
    const seconds = error.retryAfterSeconds ?? RETRY_AFTER_SECONDS;
    return new HttpError(status, `the CA cannot handle this request right now (${error.reason}): ${error.message}; retry in ${seconds}s`, {
      'Retry-After': String(seconds),
    });
  }
  return new HttpError(status, `CSR refused (${error.reason}): ${error.message}`);
}

/** Whether the error is the server's, so the door logs it (the requester only sees a generic message). */
export function isServerFault(error: CaError): boolean {
  return error.errorClass === 'server' || error.errorClass === 'retryable';
}
