import { X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../ca/index.js';
import { ConfigError } from '../config/config-error.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import { subjectLine } from '../api/admin-client-certificate.js';

/** The CAs of --admin-client-ca, as the TLS listener trusts them for client certificates. */
export interface AdminClientCa {
  readonly file: string;
  readonly pem: string;
  /** The bundle's subjects, one line each, for the start-up log. */
  readonly subjects: readonly string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads and checks the admin CA bundle before anything is written: readable, at least one
 * certificate, every one a CA (a client certificate put here by mistake would trust nothing), and at
 * least one valid now.
 */
export async function readAdminClientCa(file: string | undefined, clock: Clock): Promise<AdminClientCa | undefined> {
  if (file === undefined) return undefined;
  const text = await readBundle(file);
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ConfigError(`--admin-client-ca ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const certificates = blocks.map((block, index) => parsed(block, index, file));
  for (const [index, certificate] of certificates.entries()) {
    if (!certificate.ca) {
      throw new ConfigError(`--admin-client-ca ${file}: certificate ${index + 1} (${subjectLine(certificate)}) is not a CA certificate (no basicConstraints CA:TRUE); give the CA that signs the admin client certificates, not a client certificate`);
    }
  }
  const now = clock.now().getTime();
  if (!certificates.some((certificate) => Date.parse(certificate.validFrom) <= now && now <= Date.parse(certificate.validTo))) {
    throw new ConfigError(`--admin-client-ca ${file}: no certificate in it is valid now (${certificates.map((c) => `${subjectLine(c)}: ${c.validFrom} – ${c.validTo}`).join('; ')})`);
  }
  return { file, pem: blocks.map((block) => `${block}\n`).join(''), subjects: certificates.map(subjectLine) };
}

/**
 * This CA's own root or signing intermediate must never be an admin CA: the REST door signs for
 * anyone who asks (in `auto` mode), and the Kubernetes door signs client-auth certificates for
 * whoever may create a request, so every such holder would become an administrator.
 */
export function refuseOwnCa(adminCa: AdminClientCa, own: LoadedCa | undefined): void {
  if (!own) return;
  const ownKeys = ownCaKeys(own);
  for (const block of adminCa.pem.match(PEM_CERTIFICATE) ?? []) {
    const certificate = new X509Certificate(block);
    if (ownKeys.some((key) => key.equals(certificate.publicKey))) {
      throw new ConfigError(
        `--admin-client-ca ${adminCa.file} holds this CA's own ${subjectLine(certificate)}: every certificate this CA issues (anyone may get one from the REST door) would chain to it; make a separate admin CA (README "Admin client certificates")`,
      );
    }
  }
}

/** The public keys of the CA's root and of the intermediate that signs now. */
export function ownCaKeys(own: LoadedCa): KeyObject[] {
  return [new X509Certificate(own.rootCertificatePem).publicKey, new X509Certificate(Buffer.from(own.material.signerCertificateDer)).publicKey];
}

/** ownCaKeys of the CA as it is now (it rolls over, or arrives later in cluster mode), parsed once per CA. */
export function liveOwnCaKeys(live: { readonly loaded: LoadedCa | undefined }): () => readonly KeyObject[] {
  const parsed = new WeakMap<LoadedCa, KeyObject[]>();
  return () => {
    const loaded = live.loaded;
    if (!loaded) return [];
    const keys = parsed.get(loaded) ?? ownCaKeys(loaded);
    parsed.set(loaded, keys);
    return keys;
  };
}

async function readBundle(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read --admin-client-ca ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function parsed(block: string, index: number, file: string): X509Certificate {
  try {
    return new X509Certificate(block);
  } catch (error) {
    throw new ConfigError(`--admin-client-ca ${file}: certificate ${index + 1} is not a valid X.509 certificate (${(error as Error).message})`);
  }
}
