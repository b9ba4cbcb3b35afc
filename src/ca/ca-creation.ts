import type { KeyObject } from 'node:crypto';
import { integerFromBytes } from './der.js';
import { encodeTbs, signTbs, wholeSeconds, type CertificateSigningKey } from './certificate-assembly.js';
import type { Clock } from './clock.js';
import { CaError } from './errors.js';
import { keyIdentifierOf, organizationAndCommonName } from './extensions.js';
import type { Ipv4RangeSet } from './ip-ranges.js';
import { generateKeyObjects, publicKeyKindOfAlgorithm } from './key-generation.js';
import { encodeCertificatePem } from './pem-encode.js';
import {
  addYears,
  CA_BACKDATE_MS,
  INTERMEDIATE_VALIDITY_YEARS,
  intermediateExtensions,
  ROOT_VALIDITY_YEARS,
  rootExtensions,
} from './profile.js';
import { defaultRandomBytes, type RandomBytes } from './serial.js';
import { signatureAlgorithmFor } from './signature-algorithm.js';
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
const CA_SERIAL_LENGTH = 16;

/** A fresh root (10 years) and the online intermediate it signs (5 years, name-constrained). */
export function createCa(options: CreateCaOptions): CreatedCa {
  const organization = checkOrganization(options.organization ?? DEFAULT_ORGANIZATION);
  const randomBytes = options.randomBytes ?? defaultRandomBytes;
  const installId = Buffer.from(randomBytes(4)).toString('hex');
  const notBefore = wholeSeconds(new Date(options.clock.now().getTime() - CA_BACKDATE_MS));
  const rootNotAfter = addYears(notBefore, ROOT_VALIDITY_YEARS);
  const intermediateNotAfter = new Date(Math.min(addYears(notBefore, INTERMEDIATE_VALIDITY_YEARS).getTime(), rootNotAfter.getTime()));

  const rootKeys = generateKeyObjects(options.keyAlgorithm);
  const intermediateKeys = generateKeyObjects(options.keyAlgorithm);
  const rootSigner: CertificateSigningKey = {
    key: rootKeys.privateKey,
    algorithm: signatureAlgorithmFor(publicKeyKindOfAlgorithm(options.keyAlgorithm)),
  };
  const rootName = organizationAndCommonName(organization, `${organization} Root CA ${installId}`);
  const rootSpki = spkiOf(rootKeys.publicKey);
  const rootKeyId = keyIdentifierOf(rootSpki);
  const intermediateSpki = spkiOf(intermediateKeys.publicKey);

  const rootDer = signTbs(
    encodeTbs({
      serialDer: caSerial(randomBytes),
      signatureAlgorithmDer: rootSigner.algorithm.identifierDer,
      issuerDer: rootName,
      notBefore,
      notAfter: rootNotAfter,
      subjectDer: rootName,
      spkiDer: rootSpki,
      extensions: rootExtensions(rootKeyId),
    }),
    rootSigner,
  );
  const intermediateDer = signTbs(
    encodeTbs({
      serialDer: caSerial(randomBytes),
      signatureAlgorithmDer: rootSigner.algorithm.identifierDer,
      issuerDer: rootName,
      notBefore,
      notAfter: intermediateNotAfter,
      subjectDer: organizationAndCommonName(organization, `${organization} Intermediate CA ${installId}`),
      spkiDer: intermediateSpki,
      extensions: intermediateExtensions(keyIdentifierOf(intermediateSpki), rootKeyId, options.allowedRanges),
    }),
    rootSigner,
  );
  return {
    root: { certificatePem: encodeCertificatePem(rootDer), privateKeyPem: pkcs8Pem(rootKeys.privateKey) },
    intermediate: { certificatePem: encodeCertificatePem(intermediateDer), privateKeyPem: pkcs8Pem(intermediateKeys.privateKey) },
  };
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

/** 16 octets, 126 random bits: the top two bits are fixed to 01 so the INTEGER is positive and never shorter. */
function caSerial(randomBytes: RandomBytes): Uint8Array {
  const bytes = Uint8Array.from(randomBytes(CA_SERIAL_LENGTH));
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return integerFromBytes(bytes);
}

function spkiOf(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

function pkcs8Pem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
