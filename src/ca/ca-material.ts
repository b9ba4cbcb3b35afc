import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import {
  hasKeyUsage,
  readBasicConstraints,
  readCertificate,
  readSubjectKeyIdentifier,
  type CertificateFields,
} from './certificate-reader.js';
import type { Clock } from '../shared/clock.js';
import { CaError } from './errors.js';
import { KEY_USAGE_BIT } from './extensions.js';
import { Ipv4RangeSet } from './ip-ranges.js';
import { narrowRanges, readIpv4NameConstraints } from './name-constraints.js';
import { OID } from './oids.js';
import { readPemCertificates } from './pem-bundle.js';
import { encodeCertificatePem } from './pem.js';
import { publicKeyKindOf } from './signature-algorithm.js';
import type { PublicKeyKind } from './types.js';

export {
  createCa,
  createSuccessorIntermediate,
  type CreateCaOptions,
  type CreatedCa,
  type PemKeyPair,
  type SuccessorIntermediateOptions,
} from './ca-creation.js';

/** A signing CA that passed every check, ready for LeafSigner. */
export interface CaMaterial {
  readonly signerCertificatePem: string;
  readonly signerCertificateDer: Uint8Array;
  readonly signerKey: KeyObject;
  readonly signerKeyKind: PublicKeyKind;
  /** The signer and any intermediates above it, excluding the root: what follows a leaf. Empty when the signer is the root. */
  readonly chainPem: string;
  /** The trust anchor. */
  readonly rootPem: string;
  /**
   * The configured ranges, narrowed to the name constraints of the signer and the certificates
   * above it. Without configured ranges: the ranges the CA's own name constraints permit.
   */
  readonly allowedRanges: Ipv4RangeSet;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The signer's subjectKeyIdentifier in lowercase hex: what its leaves and CRLs name as their authority key. */
  readonly keyIdentifier: string;
}

export interface LoadCaMaterialInput {
  /** The signing CA: an intermediate, or a root used directly. Extra certificates after it are read as chain. */
  readonly certificatePem: string;
  /** PKCS#8, SEC1 ("EC PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY") PEM, unencrypted. */
  readonly privateKeyPem: string;
  /** The certificates above the signer, up to and including the root. Absent: the signer must be self-signed. */
  readonly chainPem?: string;
  /**
   * Absent: what the CA was created for, its IPv4 name constraints (within the non-public
   * blocks); the three private ranges for a CA without any.
   */
  readonly allowedRanges?: Ipv4RangeSet;
  readonly clock: Clock;
}

interface PathCertificate {
  readonly label: string;
  /** The subject as one line, for messages. */
  readonly subject: string;
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
  readonly fields: CertificateFields;
}

export function loadCaMaterial(input: LoadCaMaterialInput): CaMaterial {
  const path = readPath(input);
  const signer = path[0]!;
  const root = path[path.length - 1]!;
  const { key, kind } = loadSignerKey(input.privateKeyPem, signer);
  const now = input.clock.now();
  path.forEach((certificate, index) => checkCaCertificate(certificate, index, now));
  checkLinks(path);
  return {
    signerCertificatePem: encodeCertificatePem(signer.der),
    signerCertificateDer: signer.der,
    signerKey: key,
    signerKeyKind: kind,
    chainPem: path.length === 1 ? '' : path.slice(0, -1).map((certificate) => encodeCertificatePem(certificate.der)).join(''),
    rootPem: encodeCertificatePem(root.der),
    allowedRanges: narrowToChain(input.allowedRanges, path),
    notBefore: signer.fields.notBefore,
    notAfter: signer.fields.notAfter,
    keyIdentifier: Buffer.from(readSubjectKeyIdentifier(signer.fields)!).toString('hex'),
  };
}

function invalid(message: string, value?: string): CaError {
  return new CaError('ca_material_invalid', message, value);
}

function readPath(input: LoadCaMaterialInput): PathCertificate[] {
  const [signerDer, ...rest] = readPemCertificates(input.certificatePem, 'the CA certificate file');
  if (!signerDer) {
    throw invalid('the CA certificate file holds no CERTIFICATE block');
  }
  const chain = [...rest, ...(input.chainPem === undefined ? [] : readPemCertificates(input.chainPem, 'the CA chain file'))];
  // A "full chain" file repeats the signer first; that copy adds nothing.
  const above = chain.filter((der) => !Buffer.from(der).equals(signerDer));
  return [signerDer, ...above].map((der, index) => parsePathCertificate(der, index === 0 ? 'the CA certificate' : `chain certificate ${index}`));
}

function parsePathCertificate(der: Uint8Array, label: string): PathCertificate {
  try {
    const x509 = new X509Certificate(der);
    return { label, subject: oneLineName(x509.subject), der, x509, fields: readCertificate(der) };
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw invalid(`${label} is not a readable X.509 certificate${detail}`);
  }
}

/** Node leaves `subject` undefined for an empty Name, whatever its typings say. */
function oneLineName(name: string | undefined): string {
  return name ? name.replace(/\n/g, ', ') : 'empty name';
}

function loadSignerKey(pem: string, signer: PathCertificate): { key: KeyObject; kind: PublicKeyKind } {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw invalid(`the CA private key is not an unencrypted PKCS#8, SEC1 or PKCS#1 PEM key (${(error as Error).message})`);
  }
  const kind = publicKeyKindOf(key);
  if (!kind) {
    throw invalid(`the CA private key is ${describeKey(key)}; use ECDSA P-256/P-384 or RSA 2048/3072/4096 with e=65537`);
  }
  if (!signer.x509.checkPrivateKey(key)) {
    throw invalid('the CA private key does not match the CA certificate');
  }
  return { key, kind };
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails;
  return [key.asymmetricKeyType, details?.namedCurve, details?.modulusLength].filter(Boolean).join(' ') || 'of an unknown type';
}

/**
 * The checks `openssl verify -x509_strict` applies to every CA in a chain, plus time validity: a
 * CA failing them would sign leaves no strict client accepts, so refuse it up front.
 */
function checkCaCertificate(certificate: PathCertificate, index: number, now: Date): void {
  const { fields, label, subject } = certificate;
  const basic = readBasicConstraints(fields);
  if (fields.version !== 3 || !basic?.ca || !fields.extensions.get(OID.basicConstraints)?.critical) {
    throw invalid(`${label} (${subject}) is not a CA certificate: it needs a critical basicConstraints with cA TRUE`, subject);
  }
  if (!hasKeyUsage(fields, KEY_USAGE_BIT.keyCertSign)) {
    throw invalid(`${label} (${subject}) is not a CA certificate: its keyUsage lacks keyCertSign`, subject);
  }
  if (!readSubjectKeyIdentifier(fields)) {
    throw invalid(`${label} (${subject}) has no subjectKeyIdentifier`, subject);
  }
  if (fields.subjectDer.length <= 2) {
    throw invalid(`${label} has an empty subject`);
  }
  // The CA certificates below this one in the path (the signer included, the leaf not) must fit its pathLenConstraint.
  if (basic.pathLength !== undefined && basic.pathLength < index) {
    throw invalid(`${label} (${subject}) allows ${basic.pathLength} intermediate(s) below it but the chain has ${index}`, subject);
  }
  checkValidNow(certificate, now);
}

function checkValidNow({ fields, label, subject }: PathCertificate, now: Date): void {
  if (now < fields.notBefore || now > fields.notAfter) {
    const window = `${fields.notBefore.toISOString()} .. ${fields.notAfter.toISOString()}`;
    throw invalid(`${label} (${subject}) is not valid now (${now.toISOString()}); it is valid ${window}`, subject);
  }
}

function checkLinks(path: readonly PathCertificate[]): void {
  path.forEach((certificate, index) => {
    const issuer = path[index + 1] ?? certificate;
    const linked = certificate.x509.checkIssued(issuer.x509) && certificate.x509.verify(issuer.x509.publicKey);
    if (!linked && issuer === certificate) {
      throw invalid(
        `${certificate.label} (${certificate.subject}) is not self-signed; supply the chain up to the root`,
      );
    }
    if (!linked) {
      throw invalid(`${certificate.label} was not issued and signed by ${issuer.label}`, oneLineName(certificate.x509.issuer));
    }
  });
}

function narrowToChain(given: Ipv4RangeSet | undefined, path: readonly PathCertificate[]): Ipv4RangeSet {
  const constrained = path.some((certificate) => certificate.fields.extensions.has(OID.nameConstraints));
  const configured = given ?? (constrained ? Ipv4RangeSet.nonPublic : Ipv4RangeSet.defaults);
  let ranges = configured;
  for (const certificate of path) {
    const constraints = certificate.fields.extensions.get(OID.nameConstraints);
    if (!constraints) {
      continue;
    }
    let narrowed: Ipv4RangeSet | undefined;
    try {
      narrowed = narrowRanges(ranges, readIpv4NameConstraints(constraints.value));
    } catch (error) {
      throw invalid(`${certificate.label} has unreadable name constraints: ${(error as Error).message}`);
    }
    if (!narrowed) {
      throw invalid(`the name constraints of ${certificate.label} permit none of the allowed ranges (${configured.toString()})`);
    }
    ranges = narrowed;
  }
  return ranges;
}
