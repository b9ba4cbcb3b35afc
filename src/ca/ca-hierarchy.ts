import { X509Certificate, type KeyObject } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { loadCaMaterial, type CaMaterial } from './ca-material.js';
import { CertificateInspection } from './certificate-inspection.js';
import { readCertificate } from './certificate-reader.js';
import { isCaError } from './errors.js';
import type { Ipv4RangeSet } from './ip-ranges.js';
import { readPemCertificates } from './pem-bundle.js';

/**
 * A CA over its years: one root, the intermediate that signs now, and the earlier intermediates of
 * the same root that are still valid. Leaves they signed may still be in use, so their CRLs are
 * still published (a leaf never outlives its intermediate, so they drop out when they expire).
 */
export interface CaHierarchy {
  readonly rootPem: string;
  /** No intermediate of this root can last longer. */
  readonly rootNotAfter: Date;
  readonly active: CaMaterial;
  /** Newest first; never the active one. */
  readonly former: readonly CaMaterial[];
}

/** A certificate and its unencrypted PEM key, as a keystore holds an intermediate. */
export interface IntermediateSource {
  /** Where it came from, for messages (a file, a Secret key). */
  readonly label: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface LoadCaHierarchyInput {
  /** The root; absent: the active certificate text carries its chain up to the root (or is the root). */
  readonly rootPem: string | undefined;
  readonly active: IntermediateSource;
  readonly former?: readonly IntermediateSource[];
  /** As for loadCaMaterial: absent means what the CA was created for. */
  readonly allowedRanges?: Ipv4RangeSet | undefined;
  readonly clock: Clock;
}

/**
 * Loads the active intermediate (refused like loadCaMaterial when unusable) and every former one
 * that still checks out; the others are reported in `skipped`, usually because they expired.
 */
export function loadCaHierarchy(input: LoadCaHierarchyInput): { hierarchy: CaHierarchy; skipped: readonly string[] } {
  const load = (source: IntermediateSource, chainPem: string | undefined): CaMaterial =>
    loadCaMaterial({
      certificatePem: source.certificatePem,
      privateKeyPem: source.privateKeyPem,
      ...(chainPem !== undefined ? { chainPem } : {}),
      ...(input.allowedRanges ? { allowedRanges: input.allowedRanges } : {}),
      clock: input.clock,
    });
  const active = load(input.active, input.rootPem);
  const former: CaMaterial[] = [];
  const skipped: string[] = [];
  for (const source of input.former ?? []) {
    try {
      const material = load(source, active.rootPem);
      if (material.keyIdentifier !== active.keyIdentifier && !former.some((known) => known.keyIdentifier === material.keyIdentifier)) former.push(material);
    } catch (error) {
      if (!isCaError(error)) throw error;
      skipped.push(`${source.label}: ${error.message}`);
    }
  }
  former.sort((a, b) => b.notBefore.getTime() - a.notBefore.getTime());
  const [rootDer] = readPemCertificates(active.rootPem, 'the root certificate');
  return { hierarchy: { rootPem: active.rootPem, rootNotAfter: readCertificate(rootDer!).notAfter, active, former }, skipped };
}

/** Every intermediate of the hierarchy, the active one first. */
export function intermediatesOf(hierarchy: CaHierarchy): readonly CaMaterial[] {
  return [hierarchy.active, ...hierarchy.former];
}

/**
 * The public keys this CA signs with: the root's and every loaded intermediate's. A certificate
 * request for one of them is someone replaying the CA's own key.
 */
export function ownPublicKeys(hierarchy: CaHierarchy): KeyObject[] {
  const [root] = readPemCertificates(hierarchy.rootPem, 'the root certificate');
  const rootKey = root ? [new X509Certificate(root).publicKey] : [];
  return [...rootKey, ...intermediatesOf(hierarchy).map((material) => new X509Certificate(material.signerCertificateDer).publicKey)];
}

/** The intermediate with this key identifier (lowercase hex), if it is loaded. */
export function intermediateByKeyIdentifier(hierarchy: CaHierarchy, keyIdentifier: string): CaMaterial | undefined {
  return intermediatesOf(hierarchy).find((material) => material.keyIdentifier === keyIdentifier.toLowerCase());
}

/** The authority key identifier (lowercase hex) a certificate names: which intermediate signed it. Undefined when unreadable. */
export function issuerKeyIdentifierOf(certificatePem: string): string | undefined {
  try {
    const [der] = readPemCertificates(certificatePem, 'the certificate');
    const identifier = der ? new CertificateInspection(der).authorityKeyIdentifier() : undefined;
    return identifier ? Buffer.from(identifier).toString('hex') : undefined;
  } catch (error) {
    if (isCaError(error)) return undefined;
    throw error;
  }
}
