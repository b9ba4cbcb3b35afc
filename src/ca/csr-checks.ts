import type { ParsedCsr } from './csr.js';
import { verifyCsrSignature } from './csr-signature.js';
import { CaError } from './errors.js';
import { checkIpIdentifiers, ipsFromSubjectAltNames } from './identifier-policy.js';
import type { Ipv4RangeSet } from './ip-ranges.js';
import { isCanonicalIpv4 } from './ipv4.js';
import type { InspectedSubjectKey } from './key-policy.js';
import { checkCommonNameAmongTheIps, checkCommonNameIsTheIp } from './subject-policy.js';
import type { Ipv4 } from './types.js';

/** A CSR under review: parsed, its key accepted, and the IPs an identifier check read from it (none before). */
export interface CsrUnderReview {
  readonly csr: ParsedCsr;
  readonly key: InspectedSubjectKey;
  /** The ranges the issuer may certify. */
  readonly allowedRanges: Ipv4RangeSet;
  readonly ips: readonly Ipv4[];
}

/** One small check: throws a CaError, or passes (an identifier check passes the review on with the IPs it read). */
export type CsrCheck = (review: CsrUnderReview) => CsrUnderReview | void;

export const notACaRequest: CsrCheck = ({ csr }) => {
  if (csr.extensions.caRequested) {
    throw new CaError('ca_requested', 'the CSR requests a CA certificate (basicConstraints cA=TRUE); only end-entity certificates are issued');
  }
};

const NO_SUBJECT_ALT_NAME =
  'the CSR has no subjectAltName; request the IP as an iPAddress SAN entry. OpenSSL before 3.2 ignores ' +
  '"-extensions" when making a request: use "-reqexts v3_req" or -addext "subjectAltName=IP:192.168.1.10"';

/** 1..max IPs from the subjectAltName, canonical, distinct, inside the allowed ranges; nothing but IPv4 addresses. */
export function ipsFromSubjectAltName(max: number): CsrCheck {
  return (review) => {
    const names = review.csr.extensions.subjectAltNames;
    if (names === undefined) throw new CaError('identifier_missing', NO_SUBJECT_ALT_NAME);
    return { ...review, ips: checkIpIdentifiers(ipsFromSubjectAltNames(names), review.allowedRanges, max) };
  };
}

/**
 * As `ipsFromSubjectAltName`, and a CSR without any SAN extension may name its one IP as its only
 * CN: the seed documentation's openssl recipe (`req -new -extensions v3_req`) yields no SAN on
 * OpenSSL < 3.2, which ignores -extensions for requests.
 */
export function ipsFromSubjectAltNameOrLoneCommonName(max: number): CsrCheck {
  const fromSan = ipsFromSubjectAltName(max);
  return (review) => {
    const commonNames = review.csr.subject.commonNames;
    if (review.csr.extensions.subjectAltNames !== undefined || commonNames.length !== 1 || !isCanonicalIpv4(commonNames[0]!)) return fromSan(review);
    return { ...review, ips: checkIpIdentifiers(commonNames, review.allowedRanges, 1) };
  };
}

export const commonNameIsTheIp: CsrCheck = ({ csr, ips }) => checkCommonNameIsTheIp(csr.subject.commonNames, ips);

export const commonNameAmongTheIps: CsrCheck = ({ csr, ips }) => checkCommonNameAmongTheIps(csr.subject.commonNames, ips);

/** Proof of possession. */
export const signatureVerified: CsrCheck = ({ csr, key }) => verifyCsrSignature(csr, key);

/** The IPs are exactly `expected` (an ACME order's identifiers), in any order. */
export function ipsExactly(expected: readonly Ipv4[], of: string): CsrCheck {
  return ({ ips }) => {
    const got = new Set(ips);
    const wanted = new Set(expected);
    const missing = [...wanted].filter((ip) => !got.has(ip));
    const extra = [...got].filter((ip) => !wanted.has(ip));
    if (missing.length === 0 && extra.length === 0) return;
    const parts = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `not in the ${of}: ${extra.join(', ')}` : ''].filter(Boolean);
    throw new CaError('identifier_mismatch', `the CSR's IP addresses must equal the ${of}'s identifiers exactly (${parts.join('; ')})`, [...missing, ...extra].join(','));
  };
}

/** The CSR's key is not one the caller names (RFC 8555 §11.1: never an ACME account key). */
export function keyOtherThan(isNamedKey: (spki: Uint8Array) => boolean, whose: string): CsrCheck {
  return ({ csr }) => {
    if (isNamedKey(csr.spki)) throw new CaError('key_reused', `the CSR uses ${whose}; the certificate needs a key of its own`);
  };
}
