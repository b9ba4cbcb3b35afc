/**
 * Admin client certificates made by openssl as an operator would: a CA made with `openssl req -x509`,
 * leaves signed with `openssl ca` and explicit start and end dates (so an expired one is a real
 * certificate issued in the past, not one whose dates are reversed).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openssl } from './openssl.js';

export interface IssuedFiles {
  readonly certificate: string;
  readonly key: string;
}

export interface TestAdminCa extends IssuedFiles {
  readonly dir: string;
  issue(name: string, options: LeafOptions): Promise<IssuedFiles>;
}

export interface LeafOptions {
  /** `openssl` subject, e.g. /CN=alice/O=Example Admins */
  readonly subject: string;
  /** extendedKeyUsage value (clientAuth, serverAuth…); omitted: no EKU extension at all. */
  readonly extendedKeyUsage?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const CA_CONFIG = `[ ca ]
default_ca = issuer
[ issuer ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
unique_subject = no
[ anything ]
commonName = supplied
organizationName = optional
`;

async function mustSucceed(args: readonly string[], cwd: string): Promise<void> {
  const result = await openssl(args, { cwd });
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

/** A self-signed P-256 CA (basicConstraints CA:TRUE, keyCertSign) in `dir`, which `issue` signs leaves with. */
export async function makeAdminCa(dir: string, subject: string): Promise<TestAdminCa> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ca.cnf'), CA_CONFIG);
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), '1000\n');
  await mustSucceed(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', subject, '-days', '30',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  const ca = { dir, certificate: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  return { ...ca, issue: (name, options) => issueLeaf(dir, name, options) };
}

async function issueLeaf(dir: string, name: string, options: LeafOptions): Promise<IssuedFiles> {
  const extensions = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ...(options.extendedKeyUsage ? [`extendedKeyUsage=${options.extendedKeyUsage}`] : [])];
  await writeFile(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  await mustSucceed(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', options.subject], dir);
  await mustSucceed(
    ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.crt`, '-notext',
      '-startdate', opensslDate(options.notBefore), '-enddate', opensslDate(options.notAfter), '-extfile', `${name}.ext`],
    dir,
  );
  return { certificate: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/** YYYYMMDDHHMMSSZ, as `openssl ca -startdate/-enddate` take it. */
function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** `openssl x509 -fingerprint -sha256`, as lowercase hex without colons. */
export async function sha256Fingerprint(certificateFile: string): Promise<string> {
  const result = await openssl(['x509', '-in', certificateFile, '-noout', '-fingerprint', '-sha256']);
  if (result.code !== 0) throw new Error(`openssl x509 -fingerprint failed: ${result.stderr}`);
  return result.stdout.trim().split('=')[1]!.replaceAll(':', '').toLowerCase();
}
