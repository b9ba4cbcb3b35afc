import { integerFromBytes } from './der.js';
import type { DerContext } from './der-reader.js';
import { encodeTbs, signTbs, wholeSeconds, type CertificateSigningKey } from './certificate-assembly.js';
import type { CaMaterial } from './ca-material.js';
import { readCertificate, readExtendedKeyUsage, readSubjectKeyIdentifier, type CertificateFields } from './certificate-reader.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { CaError } from './errors.js';
import { keyIdentifierOf } from './extensions.js';
import { caKeysOf } from './key-quality/ca-keys.js';
import type { ForbiddenKeys } from './key-quality/forbidden-keys.js';
import { describeAddressBlock } from './ip-ranges.js';
import { formatIpv4, ipv4ToOctets, parseIpv4 } from './ipv4.js';
import { OID } from './oids.js';
import { encodeCertificatePem } from './pem.js';
import { EMPTY_NAME, LEAF_BACKDATE_MS, LEAF_MAX_VALIDITY_MS, leafExtensions, leafProfile, SHORTEST_LEAF_MS, type LeafProfile } from './profile.js';
import { defaultRandomBytes, newSerial, serialToHex, type RandomBytes } from './serial.js';
import { signatureAlgorithmFor } from './signature-algorithm.js';
import { keyIdentifierOfPublicKey, readSubjectPublicKeyInfo } from './subject-public-key-info.js';
import { EXTENDED_KEY_USAGES, isCertificateType, type CertificateType, type ExtendedKeyUsage, type Ipv4, type PublicKeyKind, type SubjectKey } from './types.js';

export interface LeafRequest {
  readonly subject: SubjectKey;
  readonly ips: readonly Ipv4[];
  readonly type: CertificateType;
  /** ACME may ask for a window; default now − 1 h (but not before the CA certificate's notBefore). */
  readonly notBefore?: Date;
  /** Default notBefore + 365 days. */
  readonly notAfter?: Date;
  /** The leaf's extended key usages; default serverAuth alone. */
  readonly extendedKeyUsages?: readonly ExtendedKeyUsage[];
}

export interface IssuedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  /** The leaf followed by the CA chain (root excluded). */
  readonly chainPem: string;
  /** Lowercase hex, no colons. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ips: readonly Ipv4[];
  readonly type: CertificateType;
  /** serverAuth before clientAuth. */
  readonly extendedKeyUsages: readonly ExtendedKeyUsage[];
}

export interface LeafSignerOptions {
  readonly clock?: Clock;
  readonly randomBytes?: RandomBytes;
  /** Where the signer's CRL is published: every leaf then carries a CRLDistributionPoints with this URI. */
  readonly crlDistributionPointUrl?: string;
  /**
   * A leaf that would outlive the CA ends with it instead (never shorter than a day). Off: it is
   * refused as ca_unavailable, a passing fault a rollover cures.
   */
  readonly shortLeavesNearExpiry?: boolean;
}

const SPKI_ALGORITHM: Readonly<Record<PublicKeyKind['kind'], string>> = { rsa: OID.rsaEncryption, ec: OID.ecPublicKey };
const SUBJECT_SPKI: DerContext = { reason: 'der_invalid', what: 'the subject public key is not a valid SubjectPublicKeyInfo' };
const PURPOSE_OID: Readonly<Record<ExtendedKeyUsage, string>> = { serverAuth: OID.serverAuth, clientAuth: OID.clientAuth };

/**
 * Signs leaves for one CA. Everything constant per CA is encoded once here; issue() only encodes
 * the serial, validity, key and SAN, then makes one signature.
 */
export class LeafSigner {
  /** This CA's own keys (root, intermediates): every intake in front of this signer refuses them. */
  readonly caKeys: ForbiddenKeys;
  private readonly signingKey: CertificateSigningKey;
  private readonly issuerDer: Uint8Array;
  private readonly profile: LeafProfile;
  /** The purposes the signer's own extKeyUsage allows its leaves; undefined: any. */
  private readonly signerPurposes: readonly string[] | undefined;
  private readonly clock: Clock;
  private readonly randomBytes: RandomBytes;
  private readonly shortLeaves: boolean;

  constructor(
    private readonly material: CaMaterial,
    options: LeafSignerOptions = {},
  ) {
    const fields = readSignerCertificate(material.signerCertificateDer);
    this.issuerDer = fields.subjectDer;
    this.signerPurposes = readExtendedKeyUsage(fields);
    const crlUrl = options.crlDistributionPointUrl === undefined ? undefined : checkedUri(options.crlDistributionPointUrl);
    this.profile = leafProfile(readSubjectKeyIdentifier(fields) ?? keyIdentifierOf(fields.spkiDer), crlUrl);
    this.signingKey = { key: material.signerKey, algorithm: signatureAlgorithmFor(material.signerKeyKind) };
    this.clock = options.clock ?? systemClock;
    this.randomBytes = options.randomBytes ?? defaultRandomBytes;
    this.shortLeaves = options.shortLeavesNearExpiry ?? false;
    this.caKeys = caKeysOf(material);
  }

  /** Throws CaError only. */
  issue(request: LeafRequest): IssuedCertificate {
    if (!isCertificateType(request.type)) {
      throw new CaError('extension_invalid', `unknown certificate type "${String(request.type)}"`, String(request.type));
    }
    const ips = this.checkIps(request.ips);
    const usages = this.checkUsages(request.extendedKeyUsages);
    const { notBefore, notAfter } = this.validity(request);
    const subjectKeyIdentifier = subjectKeyIdentifierFor(request.subject);
    const serial = newSerial(request.type, this.randomBytes);
    const extensions = leafExtensions(this.profile, request.subject.key, subjectKeyIdentifier, ips.map(octetsOf), usages);
    const tbs = encodeTbs({
      serialDer: integerFromBytes(serial),
      signatureAlgorithmDer: this.signingKey.algorithm.identifierDer,
      issuerDer: this.issuerDer,
      notBefore,
      notAfter,
      subjectDer: EMPTY_NAME,
      spkiDer: request.subject.spki,
      extensions,
    });
    const der = signTbs(tbs, this.signingKey);
    const pem = encodeCertificatePem(der);
    const extendedKeyUsages = EXTENDED_KEY_USAGES.filter((usage) => usages.has(usage));
    return { der, pem, chainPem: pem + this.material.chainPem, serialNumber: serialToHex(serial), notBefore, notAfter, ips, type: request.type, extendedKeyUsages };
  }

  /** The requested usages, known and permitted by the signer's own extKeyUsage (checked down the chain by clients). */
  private checkUsages(requested: readonly ExtendedKeyUsage[] = ['serverAuth']): ReadonlySet<ExtendedKeyUsage> {
    if (requested.length === 0) {
      throw new CaError('extension_invalid', 'a certificate needs at least one extended key usage (serverAuth, clientAuth)');
    }
    for (const usage of requested) {
      if (!(EXTENDED_KEY_USAGES as readonly string[]).includes(usage)) {
        throw new CaError('extension_invalid', `extended key usage "${String(usage)}" is not one this CA issues (serverAuth, clientAuth)`, String(usage));
      }
      const allowed = this.signerPurposes;
      if (allowed && !allowed.includes(PURPOSE_OID[usage]) && !allowed.includes(OID.anyExtendedKeyUsage)) {
        throw new CaError(
          'usage_not_permitted',
          `the signing CA certificate's extended key usage does not include ${usage}, so a ${usage} certificate from it would fail verification; a CA created by this version permits serverAuth and clientAuth`,
          usage,
        );
      }
    }
    return new Set(requested);
  }

  private checkIps(requested: readonly Ipv4[]): Ipv4[] {
    if (requested.length === 0) {
      throw new CaError('identifier_missing', 'a certificate needs at least one IP address');
    }
    const unique = [...new Set(requested.map((text) => formatIpv4(parseIpv4(text))))];
    for (const ip of unique) {
      const address = parseIpv4(ip);
      if (!this.material.allowedRanges.contains(address)) {
        throw new CaError(
          'identifier_not_allowed',
          `${ip} (${describeAddressBlock(address)}) is outside the ranges this CA may certify: ${this.material.allowedRanges.toString()}`,
          ip,
        );
      }
    }
    return unique;
  }

  private validity(request: LeafRequest): { notBefore: Date; notAfter: Date } {
    const now = this.clock.now();
    if (now >= this.material.notAfter) throw new CaError('ca_unavailable', `the signing CA expired ${describe(this.material.notAfter)}`);
    const defaultStart = Math.max(now.getTime() - LEAF_BACKDATE_MS, this.material.notBefore.getTime());
    const notBefore = wholeSeconds(request.notBefore ?? new Date(defaultStart));
    const notAfter = this.fitToCa(wholeSeconds(request.notAfter ?? new Date(notBefore.getTime() + LEAF_MAX_VALIDITY_MS)), now);
    const refuse = (why: string): never => {
      throw new CaError('validity_invalid', `certificate validity ${describe(notBefore)} .. ${describe(notAfter)} ${why}`);
    };
    if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
      refuse('is not a pair of valid dates');
    }
    if (notAfter <= notBefore) {
      refuse('ends before it starts');
    }
    if (notAfter.getTime() - notBefore.getTime() > LEAF_MAX_VALIDITY_MS) {
      refuse('is longer than 365 days');
    }
    if (notBefore < this.material.notBefore || notAfter > this.material.notAfter) {
      refuse(`is not inside the CA certificate's validity ${describe(this.material.notBefore)} .. ${describe(this.material.notAfter)}`);
    }
    return { notBefore, notAfter };
  }

  /** A leaf outliving the CA: shortened to end with it (when allowed and at least a day remains), else refused. */
  private fitToCa(notAfter: Date, now: Date): Date {
    const caEnd = this.material.notAfter;
    if (Number.isNaN(notAfter.getTime()) || notAfter <= caEnd) return notAfter;
    if (this.shortLeaves && caEnd.getTime() - now.getTime() >= SHORTEST_LEAF_MS) return caEnd;
    const policy = this.shortLeaves ? 'less than a day remains' : 'shortening certificates to fit (--short-leaves-near-ca-expiry) is off';
    throw new CaError('ca_unavailable', `the signing CA ends ${describe(caEnd)}, before this certificate would (${describe(notAfter)}), and ${policy}`);
  }
}

function readSignerCertificate(der: Uint8Array): CertificateFields {
  try {
    return readCertificate(der);
  } catch (error) {
    throw new CaError('ca_material_invalid', `the signer certificate is unreadable: ${(error as Error).message}`);
  }
}

/** A URI fit for an IA5String GeneralName: scheme "://" then printable ASCII without spaces. */
function checkedUri(uri: string): string {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[\x21-\x7e]+$/.test(uri)) {
    throw new CaError('extension_invalid', `the CRL distribution point "${uri}" is not an absolute URI of printable ASCII`, uri);
  }
  return uri;
}

function describe(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString();
}

function octetsOf(ip: Ipv4): Uint8Array {
  return ipv4ToOctets(parseIpv4(ip));
}

/**
 * The leaf's subjectKeyIdentifier (RFC 5280 method 1), after checking the SPKI is one DER value of
 * the algorithm family the key policy named (keyUsage depends on it).
 */
function subjectKeyIdentifierFor(subject: SubjectKey): Uint8Array {
  const info = readSubjectPublicKeyInfo(subject.spki, SUBJECT_SPKI);
  if (info.algorithm !== SPKI_ALGORITHM[subject.key.kind]) {
    throw new CaError(SUBJECT_SPKI.reason, `${SUBJECT_SPKI.what}: the key is not an ${subject.key.kind.toUpperCase()} key`);
  }
  return keyIdentifierOfPublicKey(info.publicKey);
}
