import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../config/duration.js';
import { ConfigError } from '../config/config-error.js';
import { CommandFailure, EXIT_CODES, UsageError, type CommandIo, type FlagValues } from './command.js';
import { explainRequestFailure } from './client-failures.js';
import { errorMessageOf, requestJson, type ClientCertificate, type JsonResponse } from './client-http.js';
import { optionalString, requireString } from './flags.js';
import { formatAudit, formatCertificates, formatRequests, text, type ListedRow } from './admin-tables.js';

/** A connection to one CA's admin API: the API base (as the other client commands take it) and the credentials. */
interface AdminConnection {
  readonly base: URL;
  readonly token: string | undefined;
  readonly clientCertificate: ClientCertificate | undefined;
  readonly caFile: string | undefined;
  readonly caPem: string | undefined;
  readonly timeoutMs: number;
}

const LISTS = { requests: formatRequests, certificates: formatCertificates, audit: formatAudit } as const;
const SIGNED_POLL_MS = 250;

export async function connectAdmin(flags: FlagValues): Promise<AdminConnection> {
  const url = requireString(flags, 'url');
  let base: URL;
  try {
    base = new URL(url.endsWith('/') ? url : `${url}/`);
  } catch {
    throw new UsageError(`--url "${url}" is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new UsageError(`--url must be https:// (or http://), got "${url}"`);
  const token = await tokenOf(optionalString(flags, 'token-file'));
  const clientCertificate = await clientCertificateOf(optionalString(flags, 'client-cert'), optionalString(flags, 'client-key'));
  if (token === undefined && clientCertificate === undefined) throw new UsageError('give --token-file FILE, or --client-cert FILE --client-key FILE (a certificate from the admin CA)');
  const caFile = optionalString(flags, 'ca-file');
  return { base, token, clientCertificate, caFile, caPem: caFile ? await readText(caFile, 'ca-file') : undefined, timeoutMs: timeoutOf(flags) };
}

async function tokenOf(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const token = (await readText(file, 'token-file')).trim();
  if (token === '') throw new UsageError('--token-file is empty; smsgate-ca admin token create prints a token');
  return token;
}

/** Both files or neither; checked here so a mistake is exit 1 with its reason, not a failed handshake. */
async function clientCertificateOf(certificateFile: string | undefined, keyFile: string | undefined): Promise<ClientCertificate | undefined> {
  if (certificateFile === undefined && keyFile === undefined) return undefined;
  if (certificateFile === undefined || keyFile === undefined) throw new UsageError('--client-cert and --client-key must be given together');
  const certificatePem = await readText(certificateFile, 'client-cert');
  const keyPem = await readText(keyFile, 'client-key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new UsageError(`--client-cert ${certificateFile} is not a PEM certificate`);
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw new UsageError(`--client-key ${keyFile} is not an unencrypted PEM private key`);
  }
  if (!matches) throw new UsageError(`--client-key ${keyFile} is not the key of --client-cert ${certificateFile}`);
  return { certificatePem, keyPem };
}

/** `admin list [requests|certificates|audit]`, filtered by --status/--state, --ip, --limit. */
export async function listAction(connection: AdminConnection, what: string | undefined, flags: FlagValues, io: CommandIo): Promise<number> {
  const kind = what ?? 'requests';
  if (!(kind in LISTS)) throw new UsageError(`admin list lists requests, certificates or audit; got "${kind}"`);
  const query = new URLSearchParams();
  for (const [flag, parameter] of [['status', kind === 'certificates' ? 'state' : 'status'], ['ip', 'ip'], ['limit', 'limit']] as const) {
    const value = optionalString(flags, flag);
    if (value !== undefined) query.set(parameter, value);
  }
  if (flags['pending'] === true) query.set('awaiting_approval', 'true');
  const response = await call(connection, 'GET', `${kind}${query.size > 0 ? `?${query.toString()}` : ''}`);
  const items = (response.body as { items?: ListedRow[] }).items ?? [];
  io.stdout.write(flags['json'] === true ? `${JSON.stringify(items, null, 2)}\n` : LISTS[kind as keyof typeof LISTS](items));
  return EXIT_CODES.ok;
}

/** `admin approve REQ_ID`: approved, then (briefly) waits for the signer and names the certificate. */
export async function approveAction(connection: AdminConnection, id: string, io: CommandIo): Promise<number> {
  await call(connection, 'POST', `requests/${encodeURIComponent(id)}/approve`);
  const deadline = Date.now() + connection.timeoutMs;
  let request = await requestOf(connection, id);
  while (request['status'] === 'pending' && Date.now() < deadline) {
    await sleep(SIGNED_POLL_MS);
    request = await requestOf(connection, id);
  }
  if (request['status'] === 'approved') io.stdout.write(`approved ${id}: certificate ${text(request['serial_number'])} issued\n`);
  else if (request['status'] === 'denied') io.stdout.write(`approved ${id}, but the CA could not sign it: ${text(request['reason'])}\n`);
  else io.stdout.write(`approved ${id}; the signer has not signed it yet\n`);
  return EXIT_CODES.ok;
}

export async function denyAction(connection: AdminConnection, id: string, flags: FlagValues, io: CommandIo): Promise<number> {
  const reason = optionalString(flags, 'reason');
  if (reason === undefined) throw new UsageError('admin deny needs --reason TEXT: the client sees it');
  await call(connection, 'POST', `requests/${encodeURIComponent(id)}/deny`, { reason });
  io.stdout.write(`denied ${id}: ${reason}\n`);
  return EXIT_CODES.ok;
}

export async function revokeAction(connection: AdminConnection, serial: string, flags: FlagValues, io: CommandIo): Promise<number> {
  const reason = optionalString(flags, 'reason') ?? 'unspecified';
  const response = await call(connection, 'POST', `certificates/${encodeURIComponent(serial)}/revoke`, { reason });
  const certificate = (response.body as { certificate?: Record<string, unknown> }).certificate ?? {};
  io.stdout.write(`revoked ${text(certificate['serial_number'] ?? serial)} (${text(certificate['revocation_reason'] ?? reason)}); the next CRL lists it\n`);
  return EXIT_CODES.ok;
}

async function requestOf(connection: AdminConnection, id: string): Promise<Record<string, unknown>> {
  const response = await call(connection, 'GET', `requests/${encodeURIComponent(id)}`);
  return (response.body as { request?: Record<string, unknown> }).request ?? {};
}

/** One admin API call; an error answer or a network failure is exit code 2 with the server's message. */
async function call(connection: AdminConnection, method: 'GET' | 'POST', path: string, body?: unknown): Promise<JsonResponse> {
  const url = new URL(`admin/${path}`, connection.base);
  let response: JsonResponse;
  try {
    response = await requestJson(url, {
      method,
      body: body ?? (method === 'POST' ? {} : undefined),
      headers: connection.token === undefined ? {} : { Authorization: `Bearer ${connection.token}` },
      timeoutMs: connection.timeoutMs,
      ...(connection.clientCertificate ? { clientCertificate: connection.clientCertificate } : {}),
      ...(connection.caPem ? { caPem: connection.caPem } : {}),
    });
  } catch (error) {
    throw new CommandFailure(await explainRequestFailure(error as Error, connection.base, connection.caFile), EXIT_CODES.serverFailure);
  }
  if (response.status >= 200 && response.status < 300) return response;
  throw new CommandFailure(`${method} ${url.pathname} failed (HTTP ${response.status}): ${errorMessageOf(response)}`, EXIT_CODES.serverFailure);
}

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function timeoutOf(flags: FlagValues): number {
  try {
    const ms = parseDuration(optionalString(flags, 'timeout') ?? '10s', 'timeout');
    if (ms <= 0) throw new ConfigError('timeout must be greater than 0');
    return ms;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
