import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { CaError, type CaMaterial, createCa, type Ipv4RangeSet, type KeyAlgorithm, loadCaMaterial } from '../ca/index.js';
import type { Clock } from '../shared/clock.js';
import { readPrivateKeyFile, writeNewFile } from './key-file.js';

/** The files of a CA in a data directory. */
export interface CaPaths {
  readonly dir: string;
  readonly rootCertificate: string;
  readonly rootKey: string;
  readonly intermediateCertificate: string;
  readonly intermediateKey: string;
}

/** The files of a CA in a data directory: DIR/ca/{root,intermediate}.{crt,key}. */
export function caPaths(dataDir: string): CaPaths {
  const dir = join(dataDir, 'ca');
  return {
    dir,
    rootCertificate: join(dir, 'root.crt'),
    rootKey: join(dir, 'root.key'),
    intermediateCertificate: join(dir, 'intermediate.crt'),
    intermediateKey: join(dir, 'intermediate.key'),
  };
}

export interface LoadedCa {
  /** The intermediate that signs leaves, with its chain and policy ranges. */
  readonly material: CaMaterial;
  readonly rootCertificatePem: string;
  /** Present when the root key is kept online in the data directory (standalone mode). */
  readonly rootKey?: KeyObject;
}

export async function caDirectoryExists(dataDir: string): Promise<boolean> {
  return fileExists(caPaths(dataDir).intermediateCertificate);
}

/** Generates a root and a name-constrained intermediate; refuses to touch an existing CA. */
export async function initCaDirectory(
  dataDir: string,
  options: { keyAlgorithm: KeyAlgorithm; allowedRanges: Ipv4RangeSet; clock: Clock },
): Promise<void> {
  const paths = caPaths(dataDir);
  const existing = await firstExisting(Object.values(paths).slice(1));
  if (existing) {
    throw new CaError('ca_material_invalid', `a CA already exists in ${paths.dir} (${existing}); refusing to overwrite it`, existing);
  }
  const created = createCa(options);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const files: Array<[string, string, number]> = [
    [paths.rootKey, created.root.privateKeyPem, 0o600],
    [paths.intermediateKey, created.intermediate.privateKeyPem, 0o600],
    [paths.rootCertificate, created.root.certificatePem, 0o644],
    [paths.intermediateCertificate, created.intermediate.certificatePem, 0o644],
  ];
  try {
    for (const [path, content, mode] of files) await writeNewFile(path, content, mode);
  } catch (error) {
    await Promise.all(files.map(([path]) => rm(path, { force: true })));
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
  const material = loadCaMaterial({
    certificatePem: await readFile(paths.intermediateCertificate, 'utf8'),
    privateKeyPem: await readPrivateKeyFile(paths.intermediateKey),
    chainPem: rootCertificatePem,
    ...(options.allowedRanges ? { allowedRanges: options.allowedRanges } : {}),
    clock: options.clock,
  });
  const rootKey = (await fileExists(paths.rootKey)) ? createPrivateKey(await readPrivateKeyFile(paths.rootKey)) : undefined;
  return { material, rootCertificatePem, ...(rootKey ? { rootKey } : {}) };
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
