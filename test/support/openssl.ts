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
export async function verifyServerChain(dir: string, chainPem: string, rootPem: string, ip: string, atTime?: Date): Promise<RunResult> {
  const [leaf, ...intermediates] = pemBlocks(chainPem);
  await writeFile(join(dir, 'verify-leaf.pem'), leaf ?? '');
  await writeFile(join(dir, 'verify-untrusted.pem'), intermediates.join(''));
  await writeFile(join(dir, 'verify-root.pem'), rootPem);
  return openssl(
    [
      'verify', '-x509_strict', '-purpose', 'sslserver', '-verify_ip', ip,
      ...(atTime ? ['-attime', String(Math.floor(atTime.getTime() / 1000))] : []),
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
