import { booleanValue, bitString, explicitTag, implicitConstructed, implicitPrimitive, integerFromNumber, octetString, oid, sequence, set, utf8String } from './der.js';
import type { DerContext } from './der-reader.js';
import { OID } from './oids.js';
import { keyIdentifierOfPublicKey, readSubjectPublicKeyInfo } from './subject-public-key-info.js';

/** Named bits of KeyUsage (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BIT = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

const encodedOids = new Map<string, Uint8Array>();
const CRITICAL = booleanValue(true);

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function extension(extensionOid: string, critical: boolean, valueDer: Uint8Array): Uint8Array {
  let id = encodedOids.get(extensionOid);
  if (!id) {
    id = oid(extensionOid);
    encodedOids.set(extensionOid, id);
  }
  // DER omits a BOOLEAN equal to its DEFAULT, so "critical FALSE" is never written.
  return critical ? sequence(id, CRITICAL, octetString(valueDer)) : sequence(id, octetString(valueDer));
}

/** BasicConstraints; cA FALSE is the DEFAULT and so absent, which leaves an empty SEQUENCE. */
export function basicConstraintsValue(ca: boolean, pathLength?: number): Uint8Array {
  if (!ca) {
    return sequence();
  }
  return pathLength === undefined ? sequence(booleanValue(true)) : sequence(booleanValue(true), integerFromNumber(pathLength));
}

/** KeyUsage as a named-bit BIT STRING: DER drops trailing zero bits and counts them as unused. */
export function keyUsageValue(bits: readonly number[]): Uint8Array {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) {
    bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  }
  return bitString(bytes, 7 - (highest & 7));
}

export function extendedKeyUsageValue(purposes: readonly string[]): Uint8Array {
  return sequence(...purposes.map(oid));
}

export function subjectKeyIdentifierValue(keyIdentifier: Uint8Array): Uint8Array {
  return octetString(keyIdentifier);
}

/** AuthorityKeyIdentifier with only keyIdentifier [0]. */
export function authorityKeyIdentifierValue(keyIdentifier: Uint8Array): Uint8Array {
  return sequence(implicitPrimitive(0, keyIdentifier));
}

/** GeneralNames holding one iPAddress [7] per address (4 octets each). */
export function ipSubjectAltNameValue(addresses: readonly Uint8Array[]): Uint8Array {
  return sequence(...addresses.map((octets) => implicitPrimitive(7, octets)));
}

/**
 * CRLDistributionPoints with one DistributionPoint whose distributionPoint is fullName = one
 * uniformResourceIdentifier [6] (RFC 5280 §4.2.1.13). The [0] around the DistributionPointName
 * CHOICE is explicit; fullName [0] is an implicit GeneralNames. `uri` must already be IA5 text.
 */
export function crlDistributionPointsValue(uri: string): Uint8Array {
  const fullName = implicitConstructed(0, implicitPrimitive(6, new TextEncoder().encode(uri)));
  return sequence(sequence(explicitTag(0, fullName)));
}

/** Name ::= SEQUENCE OF RDN, one single-valued RDN per attribute, values as UTF8String. */
export function encodeName(attributes: ReadonlyArray<{ readonly type: string; readonly value: string }>): Uint8Array {
  return sequence(...attributes.map(({ type, value }) => set(sequence(oid(type), utf8String(value)))));
}

export function organizationAndCommonName(organization: string, commonName: string): Uint8Array {
  return encodeName([
    { type: OID.organizationName, value: organization },
    { type: OID.commonName, value: commonName },
  ]);
}

const PUBLIC_KEY: DerContext = { reason: 'der_invalid', what: 'public key' };

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value (without the unused-bits octet). */
export function keyIdentifierOf(spkiDer: Uint8Array): Uint8Array {
  return keyIdentifierOfPublicKey(readSubjectPublicKeyInfo(spkiDer, PUBLIC_KEY).publicKey);
}
