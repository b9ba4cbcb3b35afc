import { sequence } from './der.js';
import {
  authorityKeyIdentifierValue,
  basicConstraintsValue,
  crlDistributionPointsValue,
  extendedKeyUsageValue,
  extension,
  ipSubjectAltNameValue,
  KEY_USAGE_BIT,
  keyUsageValue,
  subjectKeyIdentifierValue,
} from './extensions.js';
import type { Ipv4RangeSet } from './ip-ranges.js';
import { nameConstraintsValue } from './name-constraints.js';
import { OID } from './oids.js';
import type { ExtendedKeyUsage, PublicKeyKind } from './types.js';

/** docs/ARCHITECTURE.md §3, in numbers. */
export const LEAF_BACKDATE_MS = 60 * 60 * 1000;
export const LEAF_MAX_VALIDITY_MS = 365 * 24 * 60 * 60 * 1000;
export const ROOT_VALIDITY_YEARS = 10;
export const INTERMEDIATE_VALIDITY_YEARS = 5;
export const CA_BACKDATE_MS = LEAF_BACKDATE_MS;
/** With --short-leaves-near-ca-expiry a leaf may end with its CA, but is never shorter than a day. */
export const SHORTEST_LEAF_MS = 24 * 60 * 60 * 1000;

/** A leaf's subject is an empty Name: clients must match IPs against the SAN alone. */
export const EMPTY_NAME = sequence();

const { digitalSignature, keyEncipherment, keyCertSign, cRLSign } = KEY_USAGE_BIT;

const END_ENTITY_BASIC_CONSTRAINTS = extension(OID.basicConstraints, true, basicConstraintsValue(false));
const SIGNING_KEY_USAGE = extension(OID.keyUsage, true, keyUsageValue([digitalSignature]));
const RSA_LEAF_KEY_USAGE = extension(OID.keyUsage, true, keyUsageValue([digitalSignature, keyEncipherment]));
const SERVER_AUTH = extension(OID.extKeyUsage, false, extendedKeyUsageValue([OID.serverAuth]));
const CLIENT_AUTH = extension(OID.extKeyUsage, false, extendedKeyUsageValue([OID.clientAuth]));
const SERVER_AND_CLIENT_AUTH = extension(OID.extKeyUsage, false, extendedKeyUsageValue([OID.serverAuth, OID.clientAuth]));
const CA_KEY_USAGE = extension(OID.keyUsage, true, keyUsageValue([keyCertSign, cRLSign]));
const INTERMEDIATE_KEY_USAGE = extension(OID.keyUsage, true, keyUsageValue([digitalSignature, keyCertSign, cRLSign]));

/** The issuer-dependent but per-certificate-constant leaf extensions, encoded once per signer. */
export interface LeafProfile {
  readonly authorityKeyIdentifier: Uint8Array;
  /** Non-critical CRLDistributionPoints, when the CA publishes its CRL at a URL. */
  readonly crlDistributionPoints?: Uint8Array;
}

/** `crlUrl` must already be checked (IA5 text). */
export function leafProfile(issuerKeyIdentifier: Uint8Array, crlUrl?: string): LeafProfile {
  return {
    authorityKeyIdentifier: extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifierValue(issuerKeyIdentifier)),
    ...(crlUrl === undefined ? {} : { crlDistributionPoints: extension(OID.cRLDistributionPoints, false, crlDistributionPointsValue(crlUrl)) }),
  };
}

/** The extKeyUsage extension for a non-empty set of leaf usages, always serverAuth before clientAuth. */
function extendedKeyUsageExtension(usages: ReadonlySet<ExtendedKeyUsage>): Uint8Array {
  if (usages.has('clientAuth')) return usages.has('serverAuth') ? SERVER_AND_CLIENT_AUTH : CLIENT_AUTH;
  return SERVER_AUTH;
}

/**
 * All leaf extensions, in the order written; `ipOctets` are the 4-octet SAN addresses. `usages`
 * (checked non-empty by the signer) default to serverAuth alone.
 */
export function leafExtensions(
  profile: LeafProfile,
  key: PublicKeyKind,
  subjectKeyIdentifier: Uint8Array,
  ipOctets: readonly Uint8Array[],
  usages: ReadonlySet<ExtendedKeyUsage> = new Set(['serverAuth']),
): Uint8Array[] {
  const keyUsage = key.kind === 'rsa' ? RSA_LEAF_KEY_USAGE : SIGNING_KEY_USAGE;
  const extensions = endEntityExtensions(profile, keyUsage, extendedKeyUsageExtension(usages), subjectKeyIdentifier, ipSubjectAltNameValue(ipOctets));
  return profile.crlDistributionPoints ? [...extensions, profile.crlDistributionPoints] : extensions;
}

/** The HTTPS server's own certificate: the leaf profile, digitalSignature only, and any GeneralNames in the SAN. */
export function serverCertificateExtensions(profile: LeafProfile, subjectKeyIdentifier: Uint8Array, generalNames: Uint8Array): Uint8Array[] {
  return endEntityExtensions(profile, SIGNING_KEY_USAGE, SERVER_AUTH, subjectKeyIdentifier, generalNames);
}

function endEntityExtensions(profile: LeafProfile, keyUsage: Uint8Array, extendedKeyUsage: Uint8Array, subjectKeyIdentifier: Uint8Array, generalNames: Uint8Array): Uint8Array[] {
  return [
    END_ENTITY_BASIC_CONSTRAINTS,
    keyUsage,
    extendedKeyUsage,
    extension(OID.subjectKeyIdentifier, false, subjectKeyIdentifierValue(subjectKeyIdentifier)),
    profile.authorityKeyIdentifier,
    // Critical because the subject is empty (RFC 5280 §4.2.1.6).
    extension(OID.subjectAltName, true, generalNames),
  ];
}

export function rootExtensions(subjectKeyIdentifier: Uint8Array): Uint8Array[] {
  return [
    extension(OID.basicConstraints, true, basicConstraintsValue(true)),
    CA_KEY_USAGE,
    extension(OID.subjectKeyIdentifier, false, subjectKeyIdentifierValue(subjectKeyIdentifier)),
  ];
}

/**
 * The online intermediate: pathLen 0 and technically constrained to the allowed IPv4 ranges, or
 * (a successor) to exactly the nameConstraints value of the intermediate it replaces. Its
 * extKeyUsage bounds its leaves' (OpenSSL and Go check it down the chain), so it permits clientAuth
 * as well as serverAuth: without it a clientAuth leaf fails verification with "unsuitable
 * certificate purpose".
 */
export function intermediateExtensions(subjectKeyIdentifier: Uint8Array, issuerKeyIdentifier: Uint8Array, constraints: Ipv4RangeSet | Uint8Array): Uint8Array[] {
  const constraintsValue = constraints instanceof Uint8Array ? constraints : nameConstraintsValue(constraints);
  return [
    extension(OID.basicConstraints, true, basicConstraintsValue(true, 0)),
    INTERMEDIATE_KEY_USAGE,
    SERVER_AND_CLIENT_AUTH,
    extension(OID.subjectKeyIdentifier, false, subjectKeyIdentifierValue(subjectKeyIdentifier)),
    extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifierValue(issuerKeyIdentifier)),
    extension(OID.nameConstraints, true, constraintsValue),
  ];
}

export function addYears(date: Date, years: number): Date {
  const result = new Date(date.getTime());
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}
