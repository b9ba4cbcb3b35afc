import type { CaError } from '../ca/index.js';
import { HttpError } from '../http/http-error.js';

/** A policy refusal becomes a 400 (413 for oversize input) whose message names the field or IP and why. */
export function httpErrorFromCaError(error: CaError): HttpError {
  const status = error.reason === 'input_too_large' ? 413 : 400;
  return new HttpError(status, `CSR refused (${error.reason}): ${error.message}`);
}
