import { access, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import {
  CaError,
  createCa,
  createSuccessorIntermediate,
  loadCaHierarchy,
  type CaHierarchy,
  type CaMaterial,
  type IntermediateSource,
  type Ipv4RangeSet,
  type KeyAlgorithm,
} from '../ca/index.js';
import type { Clock } from '../shared/clock.js';
import { readPrivateKeyFile, replaceFile, writeNewFile } from './key-file.js';

/** The files of a CA in a data directory. */
export interface CaPaths {
  readonly dir: string;
  readonly rootCertificate: string;
  readonly rootKey: string;
  /** The active intermediate: a rollover replaces this file last, so it names the one that signs. */
  readonly intermediateCertificate: string;
  readonly intermediateKey: string;
  /** Every intermediate a rollover made or replaced, as `<key id>.crt` and `<key id>.key`. */
  readonly intermediates: string;
}

/** The files of a CA in a data directory: DIR/ca/{root,intermediate}.{crt,key} and DIR/ca/intermediates/. */
export function caPaths(dataDir: string): CaPaths {
  const dir = join(dataDir, 'ca');
  return {
    dir,
    rootCertificate: join(dir, 'root.crt'),
    rootKey: join(dir, 'root.key'),
    intermediateCertificate: join(dir, 'intermediate.crt'),
    intermediateKey: join(dir, 'intermediate.key'),
    intermediates: join(dir, 'intermediates'),
  };
}

export interface LoadedCa {
  /** The root, the intermediate that signs now and the earlier ones still valid. */
  readonly hierarchy: CaHierarchy;
  /** The intermediate that signs leaves (hierarchy.active), with its chain and policy ranges. */
  readonly material: CaMaterial;
  readonly rootCertificatePem: string;
  /** Present when the root key is kept online (DIR/ca/root.key, or root.key in the CA Secret). */
  readonly rootKey?: KeyObject;
  /** Former intermediates that were not loaded, and why (usually: expired). */
  readonly skipped: readonly string[];
}

/** Where `init` puts the root key: beside the CA (serve then rolls intermediates over by itself), in a file of its own, or nowhere. */
export type RootKeyPlacement = { readonly kind: 'data-dir' } | { readonly kind: 'file'; readonly path: string } | { readonly kind: 'discard' };

export async function caDirectoryExists(dataDir: string): Promise<boolean> {
  return fileExists(caPaths(dataDir).intermediateCertificate);
}

/** Generates a root and a name-constrained intermediate; refuses to touch an existing CA (or an existing root key file). */
export async function initCaDirectory(
  dataDir: string,
  options: { keyAlgorithm: KeyAlgorithm; allowedRanges: Ipv4RangeSet; clock: Clock; rootKey?: RootKeyPlacement },
): Promise<void> {
  const paths = caPaths(dataDir);
  const placement = options.rootKey ?? { kind: 'data-dir' };
  const existing = await firstExisting([paths.rootCertificate, paths.rootKey, paths.intermediateCertificate, paths.intermediateKey, ...(placement.kind === 'file' ? [placement.path] : [])]);
  if (existing) {
    throw new CaError('ca_material_invalid', `${existing} already exists; refusing to overwrite a CA or a key`, existing);
  }
  const created = createCa(options);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const rootKeyFile = placement.kind === 'data-dir' ? [paths.rootKey] : placement.kind === 'file' ? [placement.path] : [];
  const files: Array<[string, string, number]> = [
    ...rootKeyFile.map((path): [string, string, number] => [path, created.root.privateKeyPem, 0o600]),
    [paths.intermediateKey, created.intermediate.privateKeyPem, 0o600],
    [paths.rootCertificate, created.root.certificatePem, 0o644],
    [paths.intermediateCertificate, created.intermediate.certificatePem, 0o644],
  ];
  const written: string[] = [];
  try {
    for (const [path, content, mode] of files) {
      await writeNewFile(path, content, mode);
      written.push(path);
    }
  } catch (error) {
    await Promise.all(written.map((path) => rm(path, { force: true })));
    throw error;
  }
}

export async function loadCaDirectory(
  dataDir: string,
  /** Without allowedRanges: the ranges the CA was created for (see loadCaMaterial). */
  options: { allowedRanges?: Ipv4RangeSet | undefined; clock: Clock },
): Promise<LoadedCa> {
  const paths = caPaths(dataDir);
  if (!(await caDirectoryExists(dataDir))) {
    throw new CaError('ca_material_invalid', `no CA in ${paths.dir}; run 'smsgate-ca init --data-dir ${dataDir}' first`, paths.dir);
  }
  const rootCertificatePem = await readFile(paths.rootCertificate, 'utf8');
  const activePem = await readFile(paths.intermediateCertificate, 'utf8');
  const archived = await readArchive(paths);
  // The archive holds the active key too once a rollover happened; intermediate.key is replaced after intermediate.crt.
  const activeKey = archived.find((entry) => samePem(entry.certificatePem, activePem));
  const active: IntermediateSource = activeKey ?? { label: paths.intermediateCertificate, certificatePem: activePem, privateKeyPem: await readPrivateKeyFile(paths.intermediateKey) };
  const { hierarchy, skipped } = loadCaHierarchy({
    rootPem: rootCertificatePem,
    active: { ...active, certificatePem: activePem },
    former: archived.filter((entry) => entry !== activeKey),
    allowedRanges: options.allowedRanges,
    clock: options.clock,
  });
  const rootKey = (await fileExists(paths.rootKey)) ? createPrivateKey(await readPrivateKeyFile(paths.rootKey)) : undefined;
  return { hierarchy, material: hierarchy.active, rootCertificatePem, ...(rootKey ? { rootKey } : {}), skipped };
}

/**
 * A rollover on disk: the successor is written into DIR/ca/intermediates/ (beside a copy of the
 * intermediate it replaces), then intermediate.crt is replaced by rename (the switch: a reader sees
 * the old intermediate or the new one, never a mix) and intermediate.key after it.
 */
export async function rotateCaDirectory(dataDir: string, options: { rootKey: KeyObject; clock: Clock }): Promise<CaMaterial> {
  const paths = caPaths(dataDir);
  const current = await loadCaDirectory(dataDir, { clock: options.clock });
  const successorPem = createSuccessorIntermediate({
    rootCertificatePem: current.rootCertificatePem,
    rootKey: options.rootKey,
    predecessorCertificatePem: current.material.signerCertificatePem,
    clock: options.clock,
  });
  const successor = loadCaHierarchy({ rootPem: current.rootCertificatePem, active: { label: 'the new intermediate', ...successorPem }, clock: options.clock }).hierarchy.active;
  await mkdir(paths.intermediates, { recursive: true, mode: 0o700 });
  await archive(paths, current.material);
  await archive(paths, successor);
  await replaceFile(paths.intermediateCertificate, successor.signerCertificatePem, 0o644);
  await replaceFile(paths.intermediateKey, pemOfKey(successor.signerKey), 0o600);
  return successor;
}

/** Writes an intermediate into the archive under its key id, unless it is there already. */
async function archive(paths: CaPaths, material: CaMaterial): Promise<void> {
  const base = join(paths.intermediates, material.keyIdentifier);
  if (!(await fileExists(`${base}.key`))) await writeNewFile(`${base}.key`, pemOfKey(material.signerKey), 0o600);
  if (!(await fileExists(`${base}.crt`))) await writeNewFile(`${base}.crt`, material.signerCertificatePem, 0o644);
}

async function readArchive(paths: CaPaths): Promise<IntermediateSource[]> {
  const names = await readdir(paths.intermediates).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const entries: IntermediateSource[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.crt')).sort()) {
    const certificate = join(paths.intermediates, name);
    const key = certificate.replace(/\.crt$/, '.key');
    if (!(await fileExists(key))) continue;
    entries.push({ label: certificate, certificatePem: await readFile(certificate, 'utf8'), privateKeyPem: await readPrivateKeyFile(key) });
  }
  return entries;
}

function pemOfKey(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Whether two PEM texts start with the same block (a certificate file may carry its chain after it). */
function samePem(a: string, b: string): boolean {
  const first = (text: string): string => (/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----/.exec(text)?.[0] ?? '').replace(/\s+/g, '');
  return first(a) !== '' && first(a) === first(b);
}

async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) if (await fileExists(path)) return path;
  return undefined;
}
