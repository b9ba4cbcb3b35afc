import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

/** A TLS client certificate and its key (PEM). */
export interface ClientCertificate {
  readonly certificatePem: string;
  readonly keyPem: string;
}

/** One JSON request, trusting `caPem` (when given) instead of the system roots, presenting `clientCertificate` when given. */
export function requestJson(
  url: URL,
  options: {
    readonly method: 'GET' | 'POST';
    readonly body?: unknown;
    readonly caPem?: string;
    readonly clientCertificate?: ClientCertificate;
    readonly timeoutMs: number;
    readonly headers?: Readonly<Record<string, string>>;
  },
): Promise<JsonResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: options.method,
        headers: {
          Accept: 'application/json',
          'User-Agent': 'smsgate-ca-cli',
          ...options.headers,
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
        ...(options.caPem ? { ca: options.caPem } : {}),
        ...(options.clientCertificate ? { cert: options.clientCertificate.certificatePem, key: options.clientCertificate.keyPem } : {}),
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString('utf8')) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The envelope's message, or a short description of an unexpected body. */
export function errorMessageOf(response: JsonResponse): string {
  const error = (response.body as { error?: { message?: unknown } } | undefined)?.error;
  if (typeof error?.message === 'string') return error.message;
  return typeof response.body === 'string' ? response.body.slice(0, 200) : `HTTP ${response.status}`;
}
