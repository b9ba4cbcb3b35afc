import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeAddressBlock, Ipv4RangeSet, isCanonicalIpv4, parseIpv4, type CertificateType } from '../ca/index.js';
import { parseDuration } from '../config/duration.js';
import { ConfigError } from '../config/config-error.js';
import { UsageError, type Command, type CommandIo, type FlagValues } from './command.js';
import { buildClientCsr } from '../ca/index.js';
import { writeCredentials } from './client-files.js';
import { errorMessageOf, requestJson } from './client-http.js';
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

/** `webhooks` (alias wh) and `private` (alias p): the SMSGate CLI's two commands. */
export function clientCommand(spec: { name: string; alias: string; type: CertificateType; what: string }): Command {
  return {
    name: spec.name,
    aliases: [spec.alias],
    summary: `get a ${spec.what} certificate for a private IP from a CA server (SMSGate CLI compatible)`,
    usage: `smsgate-ca ${spec.name} [--out=server.crt] [--keyout=server.key] [-t|--timeout 30s] [--url URL] [--ca-file FILE] IP`,
    positionals: { min: 1, max: 1, names: 'IP' },
    flags: [
      { name: 'out', type: 'string', valueName: 'FILE', description: 'where to write the certificate chain (mode 0600)', default: 'server.crt', env: false },
      { name: 'keyout', type: 'string', valueName: 'FILE', description: 'where to write the private key (mode 0400)', default: 'server.key', env: false },
      { name: 'timeout', short: 't', type: 'string', valueName: 'DURATION', description: 'give up after this long', default: '30s', env: false },
      { name: 'url', type: 'string', valueName: 'URL', description: 'CA API base URL', default: DEFAULT_CA_URL, env: 'ASG_CA_URL' },
      { name: 'ca-file', type: 'string', valueName: 'FILE', description: 'trust this root (PEM) instead of the system roots, for a self-hosted CA', env: 'ASG_CA_CA_FILE' },
    ],
    run: (flags, positionals, io) => obtainCertificate(spec.type, flags, positionals[0] ?? '', io),
  };
}

interface Connection {
  readonly base: URL;
  readonly caPem: string | undefined;
  readonly deadline: number;
}

async function obtainCertificate(type: CertificateType, flags: FlagValues, ip: string, io: CommandIo): Promise<number> {
  checkPrivateIp(ip);
  const deadline = Date.now() + timeoutOf(flags);
  const caFile = optionalString(flags, 'ca-file');
  const connection: Connection = { base: baseUrl(requireString(flags, 'url')), caPem: caFile ? await readFile(caFile, 'utf8') : undefined, deadline };
  const say = (line: string) => io.stdout.write(`${line}\n`);

  say(`Generating ECDSA P-256 private key and CSR for ${ip}...`);
  const { csrPem, privateKeyPem } = buildClientCsr(ip);
  say(`Submitting CSR to ${connection.base.href}...`);
  const submitted = await submit(connection, { type, content: csrPem });
  say(`CSR submitted, request ID: ${submitted.requestId}`);
  say('Waiting for the certificate...');
  const certificatePem = await waitForCertificate(connection, submitted.requestId, submitted.status);
  const out = requireString(flags, 'out');
  const keyout = requireString(flags, 'keyout');
  await writeCredentials({ certificatePath: out, certificatePem, keyPath: keyout, privateKeyPem });
  say(`Certificate saved to ${out}`);
  say(`Private key saved to ${keyout}`);
  return 0;
}

const remainingMs = (connection: Connection) => Math.max(1, connection.deadline - Date.now());
const trust = (connection: Connection) => (connection.caPem ? { caPem: connection.caPem } : {});

async function submit(connection: Connection, body: { type: CertificateType; content: string }): Promise<{ requestId: string; status: StatusBody }> {
  const response = await requestJson(new URL('csr', connection.base), { method: 'POST', body, ...trust(connection), timeoutMs: remainingMs(connection) });
  if (response.status !== 202 && response.status !== 200) {
    throw new UsageError(`CSR submission failed (HTTP ${response.status}): ${errorMessageOf(response)}`, 1);
  }
  const status = response.body as StatusBody;
  const requestId = scalarText(status.request_id);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(requestId)) throw new UsageError('the CA answered without a usable request_id', 1);
  return { requestId, status };
}

/** Polls every second until the request is decided; the PEM chain when approved. */
async function waitForCertificate(connection: Connection, requestId: string, initial: StatusBody): Promise<string> {
  const timedOut = () => new UsageError(`timed out waiting for request ${requestId}; it is still pending`, 1);
  const url = new URL(`csr/${encodeURIComponent(requestId)}`, connection.base);
  let status = initial;
  while (status.status === 'pending') {
    if (Date.now() >= connection.deadline) throw timedOut();
    await sleep(Math.min(POLL_INTERVAL_MS, remainingMs(connection)));
    const polled = await requestJson(url, { method: 'GET', ...trust(connection), timeoutMs: remainingMs(connection) }).catch((error: unknown) => {
      throw Date.now() >= connection.deadline ? timedOut() : error;
    });
    if (polled.status !== 200) throw new UsageError(`status check failed (HTTP ${polled.status}): ${errorMessageOf(polled)}`, 1);
    status = polled.body as StatusBody;
  }
  if (status.status !== 'approved' || typeof status.certificate !== 'string') {
    const reason = typeof status.reason === 'string' ? ` (${status.reason})` : '';
    throw new UsageError(`request ${requestId} was ${String(status.status)}: ${scalarText(status.message)}${reason}`, 1);
  }
  return status.certificate;
}

/** Refused before anything is generated or sent. */
function checkPrivateIp(ip: string): void {
  if (!isCanonicalIpv4(ip)) throw new UsageError(`"${ip}" is not an IPv4 address such as 192.168.1.10`, 1);
  const address = parseIpv4(ip);
  if (!Ipv4RangeSet.defaults.contains(address)) {
    throw new UsageError(
      `${ip} is not a private IP address (${describeAddressBlock(address)}); only ${Ipv4RangeSet.defaults.toString()} can be certified`,
      1,
    );
  }
}

function timeoutOf(flags: FlagValues): number {
  const text = optionalString(flags, 'timeout') ?? '30s';
  try {
    // The Go CLI takes a Go duration; a bare number is read as seconds.
    const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text, 'timeout');
    if (ms <= 0) throw new ConfigError('timeout must be positive');
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
