import { connect } from 'node:tls';

/** Node's codes for a server certificate that does not chain to a trusted root. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** What a plain-HTTP answer looks like to a TLS client. */
const NOT_TLS = /wrong version number|packet length too long|unknown protocol|http request/i;
const PROBE_TIMEOUT_MS = 2000;

/** One sentence saying why a request under the API base `url` failed, and what to do about it. */
export async function explainRequestFailure(failure: Error, url: URL, caFile: string | undefined): Promise<string> {
  const code = (failure as NodeJS.ErrnoException).code ?? '';
  const origin = `${url.protocol}//${url.host}`;
  const message = shortMessage(failure);
  const tls = explainCertificateFailure(code, message, origin, caFile);
  if (tls) return tls;
  if (url.protocol === 'https:' && (code === 'EPROTO' || NOT_TLS.test(message))) {
    return `${origin} does not speak HTTPS (${message}); if it serves plain HTTP, use --url http://${url.host}${url.pathname}`;
  }
  if (url.protocol === 'http:' && isDroppedConnection(code) && (await speaksTls(url))) {
    return `${origin} speaks HTTPS, not plain HTTP: use --url https://${url.host}${url.pathname}`;
  }
  if (code === 'ECONNREFUSED') return `cannot connect to ${origin} (connection refused): is the server running there?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve ${url.hostname} (${code})`;
  return `request to ${origin} failed: ${message}`;
}

function explainCertificateFailure(code: string, message: string, origin: string, caFile: string | undefined): string | undefined {
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    return caFile
      ? `the TLS certificate of ${origin} does not chain to --ca-file ${caFile} (${message}): is that the root of this server's CA?`
      : `the TLS certificate of ${origin} is not trusted (${message}); for a self-hosted CA pass its root with --ca-file FILE (e.g. --ca-file data/ca/root.crt, env ASG_CA_CA_FILE)`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the TLS certificate of ${origin} does not name this host: ${message}`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `the TLS certificate of ${origin} is outside its validity (${message})`;
  return undefined;
}

/** The first line, and of an OpenSSL error only its reason ("wrong version number"). */
function shortMessage(error: Error): string {
  const firstLine = error.message.split('\n')[0]!;
  return /SSL routines:[^:]*:([^:]+)/.exec(firstLine)?.[1] ?? firstLine;
}

function isDroppedConnection(code: string): boolean {
  return code === 'ECONNRESET' || code === 'EPIPE' || code.startsWith('HPE_');
}

/** Whether the server completes a TLS handshake: asked only after a plain-HTTP request failed. */
function speaksTls(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 80), rejectUnauthorized: false, timeout: PROBE_TIMEOUT_MS });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
