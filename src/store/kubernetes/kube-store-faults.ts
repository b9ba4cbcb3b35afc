import { isKubeApiError } from '../../kube/kube-errors.js';
import { StoreUnavailableError } from '../store-errors.js';

/** Socket errors that mean the API server could not be reached or stopped answering. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * The API server did not answer, or said it cannot now (429 Too Many Requests, 5xx): a passing
 * fault, answered 503 by the doors. A refusal of the request itself (403 Forbidden by RBAC, 422
 * Invalid, 409 Conflict) stays the KubeApiError it is.
 */
export function kubeStoreFaultOf(error: unknown): unknown {
  if (isKubeApiError(error)) {
    return error.status === 429 || error.status >= 500 ? new StoreUnavailableError('unreachable', `${error.status} ${error.reason}`, { cause: error }) : error;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code) ? new StoreUnavailableError('unreachable', code, { cause: error }) : error;
}
