import { request, type IncomingMessage } from 'node:http';
import { AcmeProblem } from '../problems.js';
import { ipIdentifier } from '../identifiers.js';
import type { Dialer, ValidationLimits, ValidationOutcome } from './validation-types.js';

/**
 * RFC 8555 §8.3: GET http://IP/.well-known/acme-challenge/TOKEN must answer 200 with the key
 * authorization (surrounding whitespace ignored). Redirects are followed only to the same IP on
 * port 80 over plain HTTP; the body read is bounded and the whole exchange has a deadline.
 */
export async function validateHttp01(
  ip: string,
  token: string,
  expected: string,
  dial: Dialer,
  limits: ValidationLimits,
): Promise<ValidationOutcome> {
  const deadline = Date.now() + limits.timeoutMs;
  let url = new URL(`http://${ip}/.well-known/acme-challenge/${token}`);
  for (let hop = 0; ; hop += 1) {
    const response = await fetchOnce(ip, url, dial, limits, deadline);
    if (response.kind === 'failed') return { valid: false, problem: response.problem };
    if (response.kind === 'redirect') {
      if (hop >= limits.maxRedirects) return fail(ip, 'connection', `more than ${limits.maxRedirects} redirects from ${url.href}`);
      const next = redirectTarget(ip, url, response.location);
      if (typeof next === 'string') return fail(ip, 'connection', next);
      url = next;
      continue;
    }
    return checkBody(ip, url, response.status, response.body, expected);
  }
}

type FetchResult =
  | { readonly kind: 'response'; readonly status: number; readonly body: string }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'failed'; readonly problem: AcmeProblem };

function fetchOnce(ip: string, url: URL, dial: Dialer, limits: ValidationLimits, deadline: number): Promise<FetchResult> {
  const target = dial(ip, 80);
  return new Promise((resolve) => {
    const settle = (result: FetchResult): void => {
      clearTimeout(timer);
      resolve(result);
      req.destroy();
    };
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        agent: false,
        headers: { host: ip, 'user-agent': 'smsgate-ca ACME validator', accept: '*/*', connection: 'close' },
      },
      (res) => onResponse(res, ip, limits, settle),
    );
    const timer = setTimeout(() => settle(failure(ip, 'connection', `no complete answer from ${url.href} within ${limits.timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    req.on('error', (error: NodeJS.ErrnoException) => settle(failure(ip, 'connection', `fetching ${url.href}: ${error.code ?? error.message}`)));
    req.end();
  });
}

function onResponse(res: IncomingMessage, ip: string, limits: ValidationLimits, settle: (result: FetchResult) => void): void {
  const status = res.statusCode ?? 0;
  if ([301, 302, 303, 307, 308].includes(status)) {
    const location = res.headers.location;
    res.resume();
    if (!location) return settle(failure(ip, 'connection', `redirect ${status} without a Location header`));
    return settle({ kind: 'redirect', location });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limits.maxBodyBytes) return settle(failure(ip, 'incorrectResponse', `the response body is larger than ${limits.maxBodyBytes} bytes`));
    chunks.push(chunk);
  });
  res.on('end', () => settle({ kind: 'response', status, body: Buffer.concat(chunks).toString('utf8') }));
  res.on('error', (error: Error) => settle(failure(ip, 'connection', `reading the response: ${error.message}`)));
}

/** The next URL when it is still this IP, plain HTTP, port 80; otherwise why the redirect is refused. */
function redirectTarget(ip: string, from: URL, location: string): URL | string {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return `redirect to an unparsable location ${JSON.stringify(location.slice(0, 200))}`;
  }
  if (next.protocol !== 'http:' || next.hostname !== ip || (next.port !== '' && next.port !== '80')) {
    return `redirect to ${next.href.slice(0, 200)} not followed: only redirects to http://${ip}/ (same IP, port 80) are followed`;
  }
  return next;
}

function checkBody(ip: string, url: URL, status: number, body: string, expected: string): ValidationOutcome {
  if (status !== 200) return fail(ip, 'incorrectResponse', `${url.href} answered HTTP ${status}, expected 200`);
  const got = body.trim();
  if (got !== expected) {
    const shown = JSON.stringify(got.slice(0, 100)) + (got.length > 100 ? '…' : '');
    return fail(ip, 'incorrectResponse', `${url.href} answered ${shown}, not the expected key authorization`);
  }
  return { valid: true };
}

function failure(ip: string, type: 'connection' | 'incorrectResponse', detail: string): FetchResult {
  return { kind: 'failed', problem: new AcmeProblem(type, detail, { identifier: ipIdentifier(ip) }) };
}

function fail(ip: string, type: 'connection' | 'incorrectResponse', detail: string): ValidationOutcome {
  return { valid: false, problem: new AcmeProblem(type, detail, { identifier: ipIdentifier(ip) }) };
}
