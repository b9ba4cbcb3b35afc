import { generateKeyPairSync, randomBytes as nodeRandomBytes, type KeyObject } from 'node:crypto';
import { encodeTbs, signTbs, wholeSeconds } from './certificate-assembly.js';
import { readCertificate, readSubjectKeyIdentifier } from './certificate-reader.js';
import { systemClock, type Clock } from './clock.js';
import { implicitPrimitive, integerFromBytes, sequence } from './der.js';
import { CaError } from './errors.js';
import {
  authorityKeyIdentifierValue,
  basicConstraintsValue,
  extendedKeyUsageValue,
  extension,
  KEY_USAGE_BIT,
  keyIdentifierOf,
  keyUsageValue,
  subjectKeyIdentifierValue,
} from './extensions.js';
import { ipv4ToOctets, parseIpv4 } from './ipv4.js';
import { OID } from './oids.js';
import { encodeCertificatePem } from './pem-encode.js';
import { EMPTY_NAME, LEAF_BACKDATE_MS } from './profile.js';
import { publicKeyKindOf, signatureAlgorithmFor } from './signature-algorithm.js';
import type { Ipv4 } from './types.js';

export const SERVER_CERTIFICATE_VALIDITY_DAYS = 90;

export interface ServerCertificateRequest {
  /** The CA that signs: normally the root, since the intermediate's name constraints exclude DNS names. */
  readonly issuerCertificateDer: Uint8Array;
  readonly issuerKey: KeyObject;
  readonly subjectSpki: Uint8Array;
  readonly dnsNames: readonly string[];
  readonly ips: readonly Ipv4[];
  readonly validityDays?: number;
  readonly clock?: Clock;
  readonly randomBytes?: (size: number) => Uint8Array;
}

export interface ServerCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * The HTTPS server's own certificate: empty subject, critical SAN with the DNS names and IPv4
 * addresses, CA:FALSE, digitalSignature, serverAuth. Short-lived; it is made again on every start.
 */
export function createServerCertificate(request: ServerCertificateRequest): ServerCertificate {
  const issuer = readCertificate(request.issuerCertificateDer);
  const issuerKind = publicKeyKindOf(request.issuerKey);
  if (!issuerKind) throw new CaError('ca_material_invalid', 'the issuer key is not a key this CA can sign with');
  if (request.dnsNames.length + request.ips.length === 0) throw new CaError('identifier_missing', 'a server certificate needs at least one name');
  const now = (request.clock ?? systemClock).now().getTime();
  const notBefore = wholeSeconds(new Date(Math.max(now - LEAF_BACKDATE_MS, issuer.notBefore.getTime())));
  const validityMs = (request.validityDays ?? SERVER_CERTIFICATE_VALIDITY_DAYS) * 86_400_000;
  const notAfter = wholeSeconds(new Date(Math.min(now + validityMs, issuer.notAfter.getTime())));
  if (notAfter <= notBefore) throw new CaError('validity_invalid', 'the issuer certificate has expired');
  const algorithm = signatureAlgorithmFor(issuerKind);
  const tbs = encodeTbs({
    serialDer: integerFromBytes(serverSerial(request.randomBytes ?? nodeRandomBytes)),
    signatureAlgorithmDer: algorithm.identifierDer,
    issuerDer: issuer.subjectDer,
    notBefore,
    notAfter,
    subjectDer: EMPTY_NAME,
    spkiDer: request.subjectSpki,
    extensions: [
      extension(OID.basicConstraints, true, basicConstraintsValue(false)),
      extension(OID.keyUsage, true, keyUsageValue([KEY_USAGE_BIT.digitalSignature])),
      extension(OID.extKeyUsage, false, extendedKeyUsageValue([OID.serverAuth])),
      extension(OID.subjectKeyIdentifier, false, subjectKeyIdentifierValue(keyIdentifierOf(request.subjectSpki))),
      extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifierValue(readSubjectKeyIdentifier(issuer) ?? keyIdentifierOf(issuer.spkiDer))),
      extension(OID.subjectAltName, true, subjectAltNames(request.dnsNames, request.ips)),
    ],
  });
  const der = signTbs(tbs, { key: request.issuerKey, algorithm });
  return { der, pem: encodeCertificatePem(der), notBefore, notAfter };
}

/** A fresh ECDSA P-256 key and its certificate, PEM. */
export function issueServerCertificate(
  request: Omit<ServerCertificateRequest, 'subjectSpki'>,
): ServerCertificate & { readonly privateKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = createServerCertificate({ ...request, subjectSpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) });
  return { ...certificate, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function subjectAltNames(dnsNames: readonly string[], ips: readonly Ipv4[]): Uint8Array {
  const names = [...new Set(dnsNames.map((name) => name.toLowerCase()))].map((name) => {
    if (!HOST_NAME.test(name)) throw new CaError('identifier_malformed', `"${name}" is not a valid DNS name`, name);
    return implicitPrimitive(2, new TextEncoder().encode(name));
  });
  const addresses = [...new Set(ips)].map((ip) => implicitPrimitive(7, ipv4ToOctets(parseIpv4(ip))));
  return sequence(...names, ...addresses);
}

/** 16 octets, positive, no leading zero octet. */
function serverSerial(randomBytes: (size: number) => Uint8Array): Uint8Array {
  const serial = Uint8Array.from(randomBytes(16));
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return serial;
}
