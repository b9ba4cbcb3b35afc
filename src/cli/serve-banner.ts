import { X509Certificate } from 'node:crypto';
import { relative } from 'node:path';
import { formatIpv4, type Ipv4RangeSet } from '../ca/index.js';
import type { RunningCaServer } from '../serve/server.js';

export interface BannerInput {
  readonly running: Pick<RunningCaServer, 'url' | 'root' | 'allowedRanges'>;
  /** How this program was started, e.g. "node bin/smsgate-ca.js" or "smsgate-ca". */
  readonly invocation: string;
  readonly cwd: string;
}

/** The lines a person reads after `listening on`: where, what to trust, what it certifies, what to run next. */
export function serveBanner({ running, invocation, cwd }: BannerInput): string {
  const local = new URL(running.url);
  const listensEverywhere = local.hostname === '0.0.0.0' || local.hostname === '[::]';
  if (listensEverywhere) local.hostname = '127.0.0.1';
  const base = local.origin;
  const rootFile = running.root.file ? shortPath(running.root.file, cwd) : undefined;
  const trust = local.protocol === 'https:' && rootFile ? ` --ca-file ${rootFile}` : '';
  const fingerprint = new X509Certificate(running.root.certificatePem).fingerprint256;
  return [
    '',
    'smsgate-ca is ready',
    `  URL                ${base}${listensEverywhere ? ` (listening on every interface: ${running.url})` : ''}`,
    `  root certificate   ${rootFile ?? 'in the CA Secret (ca.crt)'}: give it to the clients that must trust your certificates`,
    `  root SHA-256       ${fingerprint}`,
    `  allowed ranges     ${running.allowedRanges.toString()}`,
    '  first certificate',
    `    ${invocation} webhooks --url ${base}/api/v1${trust} ${exampleIp(running.allowedRanges)}`,
    `  API documentation  ${base}/docs`,
    '',
  ].join('\n');
}

/** A path relative to the working directory when it lies inside it. */
function shortPath(path: string, cwd: string): string {
  const inside = relative(cwd, path);
  return inside && !inside.startsWith('..') && !inside.startsWith('/') ? inside : path;
}

/** 192.168.1.10 when it is allowed (the SMSGate documentation's example), else an address of the first range. */
function exampleIp(ranges: Ipv4RangeSet): string {
  const documented = 0xc0a8010a;
  if (ranges.contains(documented)) return '192.168.1.10';
  const first = ranges.cidrs[0]!;
  return formatIpv4(first.network + (first.prefix <= 28 ? 10 : first.prefix < 32 ? 1 : 0));
}
