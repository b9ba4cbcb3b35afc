import { HttpError } from '../http/http-error.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import { RETRY_AFTER_SECONDS } from './ca-error-status.js';

/**
 * A store that cannot take or read requests right now (disk full, I/O error, the Kubernetes API
 * unreachable) as the REST answer: 503 with Retry-After, so a client retries instead of giving up,
 * and nothing was acknowledged that is not stored. The log has the details; the client is told
 * only that the storage is unavailable. Undefined for every other error.
 */
export function httpErrorFromStoreFault(error: unknown): HttpError | undefined {
  if (!isStoreUnavailable(error)) return undefined;
  return new HttpError(503, `the CA's storage is unavailable right now; retry in ${RETRY_AFTER_SECONDS}s`, {
    'Retry-After': String(RETRY_AFTER_SECONDS),
  });
}
