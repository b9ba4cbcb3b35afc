import { signTbs, wholeSeconds, type CertificateSigningKey } from './certificate-assembly.js';
import type { CaMaterial } from './ca-material.js';
import { readCertificate, readSubjectKeyIdentifier } from './certificate-reader.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { enumerated, explicitTag, integerFromBytes, integerFromNumber, sequence, time } from './der.js';
import { CaError } from './errors.js';
import { authorityKeyIdentifierValue, extension, keyIdentifierOf } from './extensions.js';
import { OID } from './oids.js';
import { encodePem } from './pem.js';
import { signatureAlgorithmFor } from './signature-algorithm.js';

export const CRL_DEFAULT_VALIDITY_MS = 24 * 60 * 60 * 1000;
export const CRL_PEM_LABEL = 'X509 CRL';

/** One revoked certificate, as the ledger records it. */
export interface CrlEntry {
  /** Lowercase hex, no colons (the ledger's form). */
  readonly serialNumber: string;
  readonly revokedAt: Date;
  /** RFC 5280 CRLReason code; 0 (unspecified) is written as no reasonCode at all (§5.3.1). */
  readonly reason: number;
}

export interface CrlContents {
  /** Written in this order. */
  readonly revoked: readonly CrlEntry[];
  /** The cRLNumber: the caller keeps it strictly increasing (RFC 5280 §5.2.3). */
  readonly crlNumber: number;
}

export interface SignedCrl {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly crlNumber: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly revokedCount: number;
}

export interface CrlSignerOptions {
  readonly clock?: Clock;
  /** nextUpdate − thisUpdate; default 24 hours. */
  readonly validityMs?: number;
}

/** TBSCertList version v2 (INTEGER 1): required because the CRL carries extensions (RFC 5280 §5.1.2.1). */
const VERSION_V2 = integerFromNumber(1);
/** A serial number is at most 20 octets (RFC 5280 §4.1.2.2). */
const MAX_INTEGER_OCTETS = 20;
/** CRLReason codes a complete CRL may carry: 7 is unassigned, removeFromCRL (8) belongs to delta CRLs. */
const CRL_REASON_CODES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 9, 10]);

/**
 * Signs RFC 5280 v2 CRLs for one CA (the signer of the leaves, so the CRL issuer is the leaves'
 * issuer): issuer = the signer's subject, AKI = its SKI, a cRLNumber, and one entry per revoked serial.
 */
export class CrlSigner {
  readonly validityMs: number;
  private readonly signingKey: CertificateSigningKey;
  private readonly issuerDer: Uint8Array;
  private readonly authorityKeyIdentifier: Uint8Array;
  private readonly clock: Clock;

  constructor(material: Pick<CaMaterial, 'signerCertificateDer' | 'signerKey' | 'signerKeyKind'>, options: CrlSignerOptions = {}) {
    const fields = readCertificate(material.signerCertificateDer);
    this.issuerDer = fields.subjectDer;
    const keyIdentifier = readSubjectKeyIdentifier(fields) ?? keyIdentifierOf(fields.spkiDer);
    this.authorityKeyIdentifier = extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifierValue(keyIdentifier));
    this.signingKey = { key: material.signerKey, algorithm: signatureAlgorithmFor(material.signerKeyKind) };
    this.clock = options.clock ?? systemClock;
    this.validityMs = options.validityMs ?? CRL_DEFAULT_VALIDITY_MS;
    if (!Number.isSafeInteger(this.validityMs) || this.validityMs < 1000) {
      throw new CaError('validity_invalid', `a CRL validity must be at least one second, got ${this.validityMs} ms`);
    }
  }

  /** Throws CaError only (an unwritable serial, reason or number). */
  sign(contents: CrlContents): SignedCrl {
    const thisUpdate = wholeSeconds(this.clock.now());
    const nextUpdate = new Date(thisUpdate.getTime() + this.validityMs);
    const entries = contents.revoked.map(revokedCertificate);
    const tbs = sequence(
      VERSION_V2,
      this.signingKey.algorithm.identifierDer,
      this.issuerDer,
      time(thisUpdate),
      time(nextUpdate),
      // §5.1.2.6: with no revoked certificates the list is absent, not empty.
      ...(entries.length > 0 ? [sequence(...entries)] : []),
      explicitTag(0, sequence(this.authorityKeyIdentifier, extension(OID.cRLNumber, false, crlNumberValue(contents.crlNumber)))),
    );
    const der = signTbs(tbs, this.signingKey);
    return { der, pem: encodePem(CRL_PEM_LABEL, der), crlNumber: contents.crlNumber, thisUpdate, nextUpdate, revokedCount: entries.length };
  }
}

function crlNumberValue(crlNumber: number): Uint8Array {
  if (!Number.isSafeInteger(crlNumber) || crlNumber < 0) {
    throw new CaError('extension_invalid', `a cRLNumber must be a non-negative integer, got ${crlNumber}`, String(crlNumber));
  }
  return integerFromNumber(crlNumber);
}

/** revokedCertificates entry: userCertificate, revocationDate, and a reasonCode entry extension unless unspecified. */
function revokedCertificate(entry: CrlEntry): Uint8Array {
  const serial = serialBytes(entry.serialNumber);
  const revocationDate = time(wholeSeconds(entry.revokedAt));
  if (entry.reason === 0) return sequence(integerFromBytes(serial), revocationDate);
  if (!CRL_REASON_CODES.has(entry.reason)) {
    throw new CaError('extension_invalid', `${entry.reason} is not a CRLReason a complete CRL may carry (serial ${entry.serialNumber})`, String(entry.reason));
  }
  return sequence(integerFromBytes(serial), revocationDate, sequence(extension(OID.cRLReason, false, enumerated(entry.reason))));
}

function serialBytes(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})+$/.test(hex) || hex.length > 2 * MAX_INTEGER_OCTETS) {
    throw new CaError('extension_invalid', `revoked serial "${hex}" is not a serial of at most 20 octets in lowercase hex`, hex);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
