import { X509Certificate, type KeyObject } from 'node:crypto';
import { readCertificate, readSubjectKeyIdentifier } from './certificate-reader.js';
import { integerFromBytes } from './der.js';
import { encodeTbs, signTbs, wholeSeconds, type CertificateSigningKey } from './certificate-assembly.js';
import type { Clock } from '../shared/clock.js';
import { CaError } from './errors.js';
import { keyIdentifierOf, organizationAndCommonName } from './extensions.js';
import type { Ipv4RangeSet } from './ip-ranges.js';
import { generateKeyObjects, keyAlgorithmOfKind, pkcs8PemOf, publicKeyKindOfAlgorithm, spkiDerOf, type KeyObjectPair } from './key-generation.js';
import { OID } from './oids.js';
import { encodeCertificatePem } from './pem.js';
import {
  addYears,
  CA_BACKDATE_MS,
  INTERMEDIATE_VALIDITY_YEARS,
  intermediateExtensions,
  ROOT_VALIDITY_YEARS,
  rootExtensions,
} from './profile.js';
import { defaultRandomBytes, randomSerial, type RandomBytes } from './serial.js';
import { publicKeyKindOf, signatureAlgorithmFor } from './signature-algorithm.js';
import type { KeyAlgorithm } from './types.js';

export interface PemKeyPair {
  readonly certificatePem: string;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
}

export interface CreatedCa {
  readonly root: PemKeyPair;
  readonly intermediate: PemKeyPair;
}

export interface CreateCaOptions {
  readonly keyAlgorithm: KeyAlgorithm;
  /** What the intermediate's name constraints permit. */
  readonly allowedRanges: Ipv4RangeSet;
  readonly clock: Clock;
  /** Default 'smsgate-ca'. */
  readonly organization?: string;
  readonly randomBytes?: RandomBytes;
}

export const DEFAULT_ORGANIZATION = 'smsgate-ca';
/** ub-common-name (RFC 5280) minus the longest suffix we append: " Intermediate CA 0123abcd". */
const MAX_ORGANIZATION_LENGTH = 64 - ' Intermediate CA 01234567'.length;

/** A CA-to-be: its fresh key pair, its encoded name, SubjectPublicKeyInfo and key identifier. */
interface NewCaKey {
  readonly keys: KeyObjectPair;
  readonly name: Uint8Array;
  readonly spki: Uint8Array;
  readonly keyIdentifier: Uint8Array;
}

/** A fresh root (10 years) and the online intermediate it signs (5 years, name-constrained). */
export function createCa(options: CreateCaOptions): CreatedCa {
  const organization = checkOrganization(options.organization ?? DEFAULT_ORGANIZATION);
  const randomBytes = options.randomBytes ?? defaultRandomBytes;
  const installId = Buffer.from(randomBytes(4)).toString('hex');
  const { notBefore, rootNotAfter, intermediateNotAfter } = caValidity(options.clock);
  const root = newCaKey(options.keyAlgorithm, organization, `${organization} Root CA ${installId}`);
  const intermediate = newCaKey(options.keyAlgorithm, organization, `${organization} Intermediate CA ${installId}`);
  const rootSigner: CertificateSigningKey = {
    key: root.keys.privateKey,
    algorithm: signatureAlgorithmFor(publicKeyKindOfAlgorithm(options.keyAlgorithm)),
  };
  const signedByRoot = (subject: NewCaKey, notAfter: Date, extensions: Uint8Array[]): PemKeyPair => {
    const der = signTbs(
      encodeTbs({
        serialDer: integerFromBytes(randomSerial(randomBytes)),
        signatureAlgorithmDer: rootSigner.algorithm.identifierDer,
        issuerDer: root.name,
        notBefore,
        notAfter,
        subjectDer: subject.name,
        spkiDer: subject.spki,
        extensions,
      }),
      rootSigner,
    );
    return { certificatePem: encodeCertificatePem(der), privateKeyPem: pkcs8PemOf(subject.keys.privateKey) };
  };
  return {
    root: signedByRoot(root, rootNotAfter, rootExtensions(root.keyIdentifier)),
    intermediate: signedByRoot(
      intermediate,
      intermediateNotAfter,
      intermediateExtensions(intermediate.keyIdentifier, root.keyIdentifier, options.allowedRanges),
    ),
  };
}

/** Both start an hour ago; the intermediate never outlives the root. */
function caValidity(clock: Clock): { notBefore: Date; rootNotAfter: Date; intermediateNotAfter: Date } {
  const notBefore = wholeSeconds(new Date(clock.now().getTime() - CA_BACKDATE_MS));
  const rootNotAfter = addYears(notBefore, ROOT_VALIDITY_YEARS);
  const intermediateNotAfter = new Date(Math.min(addYears(notBefore, INTERMEDIATE_VALIDITY_YEARS).getTime(), rootNotAfter.getTime()));
  return { notBefore, rootNotAfter, intermediateNotAfter };
}

function newCaKey(algorithm: KeyAlgorithm, organization: string, commonName: string): NewCaKey {
  const keys = generateKeyObjects(algorithm);
  const spki = spkiDerOf(keys.publicKey);
  return { keys, name: organizationAndCommonName(organization, commonName), spki, keyIdentifier: keyIdentifierOf(spki) };
}

function checkOrganization(organization: string): string {
  const trimmed = organization.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_ORGANIZATION_LENGTH || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new CaError(
      'ca_material_invalid',
      `the CA organization must be 1 to ${MAX_ORGANIZATION_LENGTH} printable characters`,
      organization.slice(0, 80),
    );
  }
  return trimmed;
}

export interface SuccessorIntermediateOptions {
  /** The root that signs the successor. */
  readonly rootCertificatePem: string;
  readonly rootKey: KeyObject;
  /** The intermediate being replaced: its name constraints and key type carry over unchanged. */
  readonly predecessorCertificatePem: string;
  readonly clock: Clock;
  readonly randomBytes?: RandomBytes;
}

/**
 * The next intermediate of a CA (a rollover): a fresh key of the predecessor's type under a new
 * name, the predecessor's exact name constraints, valid 5 years but never beyond the root. Refused
 * when the root key does not belong to the root, the predecessor is not the root's, or the
 * successor would end before the predecessor (then only a new root helps).
 */
export function createSuccessorIntermediate(options: SuccessorIntermediateOptions): PemKeyPair {
  const root = checkedRoot(options.rootCertificatePem, options.rootKey);
  const predecessor = checkedPredecessor(options.predecessorCertificatePem, root.x509);
  const randomBytes = options.randomBytes ?? defaultRandomBytes;
  const notBefore = wholeSeconds(new Date(Math.max(options.clock.now().getTime() - CA_BACKDATE_MS, root.fields.notBefore.getTime())));
  const notAfter = new Date(Math.min(addYears(notBefore, INTERMEDIATE_VALIDITY_YEARS).getTime(), root.fields.notAfter.getTime()));
  // Ending together is allowed (a new key, e.g. after a suspected compromise); ending earlier never.
  if (notAfter < predecessor.fields.notAfter) {
    throw new CaError('ca_material_invalid', `the root ends ${root.fields.notAfter.toISOString()}, before the current intermediate: a new intermediate would end earlier; the CA needs a new root`);
  }
  const organization = organizationOf(root.x509);
  const successor = newCaKey(keyAlgorithmOfKind(predecessor.kind), organization, `${organization} Intermediate CA ${Buffer.from(randomBytes(4)).toString('hex')}`);
  const der = signTbs(
    encodeTbs({
      serialDer: integerFromBytes(randomSerial(randomBytes)),
      signatureAlgorithmDer: root.signer.algorithm.identifierDer,
      issuerDer: root.fields.subjectDer,
      notBefore,
      notAfter,
      subjectDer: successor.name,
      spkiDer: successor.spki,
      extensions: intermediateExtensions(successor.keyIdentifier, root.keyIdentifier, predecessor.nameConstraints),
    }),
    root.signer,
  );
  return { certificatePem: encodeCertificatePem(der), privateKeyPem: pkcs8PemOf(successor.keys.privateKey) };
}

function refused(message: string): CaError {
  return new CaError('ca_material_invalid', message);
}

function checkedRoot(pem: string, key: KeyObject) {
  const x509 = new X509Certificate(pem);
  const fields = readCertificate(new Uint8Array(x509.raw));
  const kind = publicKeyKindOf(key);
  if (!kind || !x509.checkPrivateKey(key)) throw refused('the root key does not belong to the root certificate');
  const keyIdentifier = readSubjectKeyIdentifier(fields) ?? keyIdentifierOf(fields.spkiDer);
  return { x509, fields, keyIdentifier, signer: { key, algorithm: signatureAlgorithmFor(kind) } satisfies CertificateSigningKey };
}

function checkedPredecessor(pem: string, root: X509Certificate) {
  const x509 = new X509Certificate(pem);
  if (!x509.checkIssued(root) || !x509.verify(root.publicKey)) throw refused(`the current intermediate (${x509.subject.replace(/\n/g, ', ')}) was not issued by this root`);
  const fields = readCertificate(new Uint8Array(x509.raw));
  const constraints = fields.extensions.get(OID.nameConstraints);
  if (!constraints) throw refused('the current intermediate has no name constraints to carry over; a successor would be unconstrained');
  const kind = publicKeyKindOf(x509.publicKey);
  if (!kind) throw refused('the current intermediate has a key type this CA cannot make');
  return { fields, kind, nameConstraints: constraints.value };
}

/** The root's organizationName, when it is one a CA name can carry; else the default. */
function organizationOf(root: X509Certificate): string {
  const organization = (root.subject ?? '').split('\n').find((line) => line.startsWith('O='))?.slice(2);
  try {
    return checkOrganization(organization ?? DEFAULT_ORGANIZATION);
  } catch {
    return DEFAULT_ORGANIZATION;
  }
}
