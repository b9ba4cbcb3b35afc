/**
 * The admin API from the page: same origin, the bearer token only in the Authorization header,
 * no cookies (so no CSRF), nothing cached.
 */
export const ADMIN_API = '/api/v1/admin';

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export type Query = Readonly<Record<string, string | undefined>>;

export class AdminClient {
  constructor(private readonly token: string) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.send<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${ADMIN_API}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new AdminApiError('the server could not be reached', 0);
    }
    if (!response.ok) throw new AdminApiError(await errorMessageOf(response), response.status);
    return (await response.json()) as T;
  }
}

function withQuery(path: string, query: Query): string {
  const present = Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  return present.length === 0 ? path : `${path}?${new URLSearchParams(present).toString()}`;
}

/** The REST envelope's message ({"error":{"message","code"}}), or the HTTP status when there is none. */
async function errorMessageOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: fall through to the status line
  }
  return `the server answered ${response.status} ${response.statusText}`.trim();
}
