/** A non-2xx answer of the API server, with the `Status` reason it carried. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    readonly status: number,
    /** `Status.reason`: NotFound, AlreadyExists, Conflict, Expired, Gone, Invalid, Forbidden… */
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
  }
}

export function isKubeApiError(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError;
}

export function isNotFound(error: unknown): boolean {
  return isKubeApiError(error) && error.status === 404;
}

export function isConflict(error: unknown): boolean {
  return isKubeApiError(error) && error.status === 409 && error.reason !== 'AlreadyExists';
}

export function isAlreadyExists(error: unknown): boolean {
  return isKubeApiError(error) && error.status === 409 && error.reason === 'AlreadyExists';
}

/** 410 Gone / reason Expired: the resourceVersion is older than the watch cache; relist. */
export function isGone(error: unknown): boolean {
  return isKubeApiError(error) && (error.status === 410 || error.reason === 'Expired' || error.reason === 'Gone');
}

/** Errors worth retrying with backoff rather than reporting as a failure of the object. */
export function isTransient(error: unknown): boolean {
  if (!isKubeApiError(error)) return true;
  return error.status === 409 || error.status === 429 || error.status >= 500;
}
