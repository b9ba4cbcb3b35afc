import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeAddressBlock, Ipv4RangeSet, isCanonicalIpv4, parseIpv4, type CertificateType } from '../ca/index.js';
import { parseDuration } from '../config/duration.js';
import { ConfigError } from '../config/config-error.js';
import { CommandFailure, EXIT_CODES, UsageError, type Command, type CommandIo, type FlagValues } from './command.js';
import { buildClientCsr } from '../ca/index.js';
import { explainRequestFailure } from './client-failures.js';
import { writeCredentials } from './client-files.js';
import { errorMessageOf, requestJson, type JsonResponse } from './client-http.js';
import { optionalString, requireString } from './flags.js';

/** The public SMSGate CA, so the commands are a drop-in for the Go CLI. */
export const DEFAULT_CA_URL = 'https://ca.sms-gate.app/api/v1';
const POLL_INTERVAL_MS = 1000;

interface StatusBody {
  readonly request_id?: unknown;
  readonly status?: unknown;
  readonly message?: unknown;
  readonly certificate?: unknown;
  readonly reason?: unknown;
}

const serverFailure = (message: string) => new CommandFailure(message, EXIT_CODES.serverFailure);

/** `webhooks` (alias wh) and `private` (alias p): the SMSGate CLI's two commands. */
export function clientCommand(spec: { name: string; alias: string; type: CertificateType; what: string }): Command {
  return {
    name: spec.name,
    aliases: [spec.alias],
    summary: `get a ${spec.what} certificate for a private IP from a CA server (SMSGate CLI compatible)`,
    usage: `smsgate-ca [-t|--timeout 30s] ${spec.name} [--out server.crt] [--keyout server.key] [--url URL] [--ca-file FILE] IP`,
    positionals: { min: 1, max: 1, names: 'IP' },
    flags: [
      { name: 'out', type: 'string', valueName: 'FILE', description: 'where to write the certificate chain (mode 0600)', default: 'server.crt' },
      { name: 'keyout', type: 'string', valueName: 'FILE', description: 'where to write the private key (SEC1 "EC PRIVATE KEY", mode 0400)', default: 'server.key' },
      { name: 'timeout', short: 't', type: 'string', valueName: 'DURATION', description: 'give up after this long', default: '30s', env: ['ASG_CA_TIMEOUT', 'SMSGATE_CA_TIMEOUT'] },
      { name: 'url', type: 'string', valueName: 'URL', description: 'CA API base URL', default: DEFAULT_CA_URL, env: ['ASG_CA_URL', 'SMSGATE_CA_URL'] },
      {
        name: 'ca-file',
        type: 'string',
        valueName: 'FILE',
        description: 'trust this root (PEM) instead of the system roots, for a self-hosted CA',
        env: ['ASG_CA_CA_FILE', 'SMSGATE_CA_CA_FILE'],
      },
    ],
    run: (flags, positionals, io) => obtainCertificate(spec.type, flags, positionals[0] ?? '', io),
  };
}

interface Connection {
  readonly base: URL;
  readonly caFile: string | undefined;
  readonly caPem: string | undefined;
  readonly deadline: number;
}

/** Progress goes to stderr, as the Go CLI logs it; stdout stays empty. */
async function obtainCertificate(type: CertificateType, flags: FlagValues, ip: string, io: CommandIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  checkPrivateIp(ip);
  const timeoutMs = timeoutOf(flags);
  const out = requireString(flags, 'out');
  const keyout = requireString(flags, 'keyout');
  const connection = await connectionOf(flags, timeoutMs);
  say(`Generating ECDSA P-256 private key and CSR for ${ip}...`);
  const { csrPem, privateKeyPem } = buildClientCsr(ip);
  say(`Submitting CSR to ${describeTarget(connection.base)}...`);
  const submitted = await submit(connection, { type, content: csrPem });
  say(`CSR submitted, request ID: ${submitted.requestId}`);
  say('Waiting for the certificate...');
  const certificatePem = await waitForCertificate(connection, submitted.requestId, submitted.status);
  await writeCredentials({ certificatePath: out, certificatePem, keyPath: keyout, privateKeyPem });
  say(`Certificate saved to ${out}`);
  say(`Private key saved to ${keyout}`);
  return EXIT_CODES.ok;
}

async function connectionOf(flags: FlagValues, timeoutMs: number): Promise<Connection> {
  const base = baseUrl(requireString(flags, 'url'));
  const caFile = optionalString(flags, 'ca-file');
  let caPem: string | undefined;
  try {
    caPem = caFile ? await readFile(caFile, 'utf8') : undefined;
  } catch (error) {
    throw new UsageError(`cannot read --ca-file ${caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { base, caFile, caPem, deadline: Date.now() + timeoutMs };
}

const remainingMs = (connection: Connection) => Math.max(1, connection.deadline - Date.now());

/** One request to the CA; a network or TLS failure becomes exit code 2 with an explanation. */
async function call(connection: Connection, url: URL, method: 'GET' | 'POST', body?: unknown): Promise<JsonResponse> {
  try {
    return await requestJson(url, { method, body, ...(connection.caPem ? { caPem: connection.caPem } : {}), timeoutMs: remainingMs(connection) });
  } catch (error) {
    throw serverFailure(await explainRequestFailure(error as Error, connection.base, connection.caFile));
  }
}

async function submit(connection: Connection, body: { type: CertificateType; content: string }): Promise<{ requestId: string; status: StatusBody }> {
  const response = await call(connection, new URL('csr', connection.base), 'POST', body);
  if (response.status !== 202 && response.status !== 200) {
    throw serverFailure(`CSR submission failed (HTTP ${response.status}): ${errorMessageOf(response)}`);
  }
  const status = response.body as StatusBody;
  const requestId = scalarText(status.request_id);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(requestId)) throw serverFailure('the CA answered without a usable request_id');
  return { requestId, status };
}

/** Polls every second until the request is decided; the PEM chain when approved. */
async function waitForCertificate(connection: Connection, requestId: string, initial: StatusBody): Promise<string> {
  const timedOut = () => serverFailure(`timed out waiting for request ${requestId}; it is still pending`);
  const url = new URL(`csr/${encodeURIComponent(requestId)}`, connection.base);
  let status = initial;
  while (status.status === 'pending') {
    if (Date.now() >= connection.deadline) throw timedOut();
    await sleep(Math.min(POLL_INTERVAL_MS, remainingMs(connection)));
    const polled = await call(connection, url, 'GET').catch((error: unknown) => {
      throw Date.now() >= connection.deadline ? timedOut() : error;
    });
    if (polled.status !== 200) throw serverFailure(`status check failed (HTTP ${polled.status}): ${errorMessageOf(polled)}`);
    status = polled.body as StatusBody;
  }
  if (status.status !== 'approved' || typeof status.certificate !== 'string') {
    const reason = typeof status.reason === 'string' ? ` (${status.reason})` : '';
    throw serverFailure(`request ${requestId} was ${scalarText(status.status)}: ${scalarText(status.message)}${reason}`);
  }
  return status.certificate;
}

/** The API base, and when it is the default, that this is the public SMSGate CA. */
export function describeTarget(base: URL): string {
  return base.href === `${DEFAULT_CA_URL}/` ? `${base.href} (the public SMSGate CA; --url or ASG_CA_URL names your own server)` : base.href;
}

/** Refused before anything is generated or sent. */
function checkPrivateIp(ip: string): void {
  if (!isCanonicalIpv4(ip)) throw new UsageError(`"${ip}" is not an IPv4 address such as 192.168.1.10`);
  const address = parseIpv4(ip);
  if (!Ipv4RangeSet.defaults.contains(address)) {
    throw new UsageError(`${ip} is not a private IP address (${describeAddressBlock(address)}); only ${Ipv4RangeSet.defaults.toString()} can be certified`);
  }
}

function timeoutOf(flags: FlagValues): number {
  const text = optionalString(flags, 'timeout') ?? '30s';
  try {
    // A Go duration, as the SMSGate CLI takes it; a bare number is also read as seconds.
    const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text, 'timeout');
    if (ms <= 0) throw new ConfigError('timeout must be greater than 0');
    return ms;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** The API base with a trailing slash, so relative URLs resolve under it. */
function baseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.endsWith('/') ? text : `${text}/`);
  } catch {
    throw new UsageError(`--url "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--url must be https:// (or http://), got "${text}"`);
  return url;
}

export const webhooksCommand = clientCommand({ name: 'webhooks', alias: 'wh', type: 'webhook', what: 'webhook' });
export const privateCommand = clientCommand({ name: 'private', alias: 'p', type: 'private_server', what: 'private server' });

/** A JSON scalar as text; '' for anything else. */
function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}
