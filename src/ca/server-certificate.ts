import type { KeyObject } from 'node:crypto';
import { encodeTbs, signTbs, wholeSeconds } from './certificate-assembly.js';
import { readCertificate, readSubjectKeyIdentifier } from './certificate-reader.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { implicitPrimitive, integerFromBytes, sequence } from './der.js';
import { CaError } from './errors.js';
import { keyIdentifierOf } from './extensions.js';
import { ipv4ToOctets, parseIpv4 } from './ipv4.js';
import { generateKeyObjects, pkcs8PemOf, spkiDerOf } from './key-generation.js';
import { encodeCertificatePem } from './pem.js';
import { EMPTY_NAME, LEAF_BACKDATE_MS, leafProfile, serverCertificateExtensions } from './profile.js';
import { defaultRandomBytes, randomSerial, type RandomBytes } from './serial.js';
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
  readonly randomBytes?: RandomBytes;
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
  const issuerKeyIdentifier = readSubjectKeyIdentifier(issuer) ?? keyIdentifierOf(issuer.spkiDer);
  const tbs = encodeTbs({
    serialDer: integerFromBytes(randomSerial(request.randomBytes ?? defaultRandomBytes)),
    signatureAlgorithmDer: algorithm.identifierDer,
    issuerDer: issuer.subjectDer,
    notBefore,
    notAfter,
    subjectDer: EMPTY_NAME,
    spkiDer: request.subjectSpki,
    extensions: serverCertificateExtensions(leafProfile(issuerKeyIdentifier), keyIdentifierOf(request.subjectSpki), subjectAltNames(request.dnsNames, request.ips)),
  });
  const der = signTbs(tbs, { key: request.issuerKey, algorithm });
  return { der, pem: encodeCertificatePem(der), notBefore, notAfter };
}

/** A fresh ECDSA P-256 key and its certificate, PEM. */
export function issueServerCertificate(
  request: Omit<ServerCertificateRequest, 'subjectSpki'>,
): ServerCertificate & { readonly privateKeyPem: string } {
  const { privateKey, publicKey } = generateKeyObjects('ecdsa-p256');
  const certificate = createServerCertificate({ ...request, subjectSpki: spkiDerOf(publicKey) });
  return { ...certificate, privateKeyPem: pkcs8PemOf(privateKey) };
}

function subjectAltNames(dnsNames: readonly string[], ips: readonly Ipv4[]): Uint8Array {
  const names = [...new Set(dnsNames.map((name) => name.toLowerCase()))].map((name) => {
    if (!HOST_NAME.test(name)) throw new CaError('identifier_malformed', `"${name}" is not a valid DNS name`, name);
    return implicitPrimitive(2, new TextEncoder().encode(name));
  });
  const addresses = [...new Set(ips)].map((ip) => implicitPrimitive(7, ipv4ToOctets(parseIpv4(ip))));
  return sequence(...names, ...addresses);
}
