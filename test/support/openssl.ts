import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, type RunResult } from './cli.js';

export function openssl(args: readonly string[], options: { cwd?: string; input?: string } = {}): Promise<RunResult> {
  return run('openssl', args, options);
}

/** Splits a PEM bundle into its blocks (as PEM strings). */
export function pemBlocks(bundle: string): string[] {
  return bundle.match(/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----\n?/g) ?? [];
}

/**
 * `openssl verify` exactly as the product promises: strict X.509, TLS server purpose, the IP checked
 * against the SAN, the intermediate as untrusted and only the root as trust anchor; `atTime`: as
 * of that moment instead of now (a test's injected clock).
 */
export function verifyServerChain(dir: string, chainPem: string, rootPem: string, ip: string, atTime?: Date): Promise<RunResult> {
  return verifyChain(dir, chainPem, rootPem, { purpose: 'sslserver', ip, ...(atTime ? { atTime } : {}) });
}

/** `openssl verify -x509_strict` for a purpose (sslserver, sslclient), the IP checked when given, at a moment when given. */
export async function verifyChain(dir: string, chainPem: string, rootPem: string, options: { purpose: 'sslserver' | 'sslclient'; ip?: string; atTime?: Date }): Promise<RunResult> {
  const [leaf, ...intermediates] = pemBlocks(chainPem);
  await writeFile(join(dir, 'verify-leaf.pem'), leaf ?? '');
  await writeFile(join(dir, 'verify-untrusted.pem'), intermediates.join(''));
  await writeFile(join(dir, 'verify-root.pem'), rootPem);
  return openssl(
    [
      'verify', '-x509_strict', '-purpose', options.purpose, ...(options.ip ? ['-verify_ip', options.ip] : []),
      ...(options.atTime ? ['-attime', String(Math.floor(options.atTime.getTime() / 1000))] : []),
      '-CAfile', 'verify-root.pem', '-untrusted', 'verify-untrusted.pem', 'verify-leaf.pem',
    ],
    { cwd: dir },
  );
}

export async function certificateText(dir: string, pem: string): Promise<string> {
  const file = join(dir, `text-${Math.random().toString(16).slice(2)}.pem`);
  await writeFile(file, pem);
  const result = await openssl(['x509', '-in', file, '-noout', '-text']);
  if (result.code !== 0) throw new Error(`openssl x509 failed: ${result.stderr}`);
  return result.stdout;
}

/** `openssl x509 -purpose`: each purpose OpenSSL knows, Yes or No for this certificate as an end entity. */
export async function certificatePurposes(dir: string, pem: string): Promise<Record<string, string>> {
  const file = join(dir, `purpose-${Math.random().toString(16).slice(2)}.pem`);
  await writeFile(file, pem);
  const result = await openssl(['x509', '-in', file, '-noout', '-purpose']);
  if (result.code !== 0) throw new Error(`openssl x509 -purpose failed: ${result.stderr}`);
  const purposes: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const match = /^(.+?) : (Yes|No)$/.exec(line.trim());
    if (match) purposes[match[1]!] = match[2]!;
  }
  return purposes;
}
