import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill first
import { createPublicKey, verify } from 'node:crypto';
import { Attributes, CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraintsExtension, PemConverter, Pkcs10CertificateRequest, SubjectAlternativeNameExtension } from '@peculiar/x509';
import ipaddr from 'ipaddr.js';

/** The intake policy as the oracle understands it, written down again without the core's code. */
export interface OraclePolicy {
  readonly shape: 'smsgate' | 'multi';
  readonly maxIdentifiers: number;
  readonly allowedCidrs: readonly string[];
}

const SUBJECT_ALT_NAME = '2.5.29.17';
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const BASIC_CONSTRAINTS = '2.5.29.19';
const CURVES = new Set(['prime256v1', 'secp384r1']);
const RSA_SIZES = new Set([2048, 3072, 4096]);
const HASHES: Readonly<Record<string, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const SMALL_PRIMES = Array.from({ length: 998 }, (_, i) => i + 2)
  .filter((n) => Array.from({ length: Math.floor(Math.sqrt(n)) - 1 }, (_, i) => i + 2).every((d) => n % d !== 0))
  .map(BigInt);

/**
 * Judges a request the core accepted, with @peculiar/x509 reading it and ipaddr.js checking the
 * ranges: returns why it is outside the policy, or undefined when it is within. `acceptedIps` is
 * what the core said it validated; it must be exactly the request's addresses.
 */
export function policyViolation(pem: string, acceptedIps: readonly string[], policy: OraclePolicy): string | undefined {
  let read: ReadRequest;
  try {
    read = readRequest(pem);
  } catch (error) {
    return `@peculiar/x509 cannot read an accepted CSR: ${(error as Error).message}`;
  }
  try {
    const { request } = read;
    return keyProblem(request) ?? signatureProblem(read) ?? extensionProblem(request) ?? identifierProblem(request, acceptedIps, policy);
  } catch (error) {
    return `the oracle cannot judge an accepted CSR: ${(error as Error).message}`;
  }
}

interface ReadRequest {
  readonly request: Pkcs10CertificateRequest;
  /** The signed CertificationRequestInfo and the signature, exactly as sent. */
  readonly tbs: ArrayBuffer;
  readonly signature: ArrayBuffer;
}

/**
 * The policy uses no attribute but extensionRequest, and the intake skips the others unread, as Go's
 * parser (and so Boulder) does. @peculiar/x509 refuses a request whose challengePassword is not a
 * string, so those attributes are dropped before it reads the rest; the signature is still checked
 * over the request's own bytes.
 */
function readRequest(pem: string): ReadRequest {
  const asn = AsnConvert.parse(PemConverter.decodeFirst(pem), CertificationRequest);
  const tbs = asn.certificationRequestInfoRaw!;
  const info = asn.certificationRequestInfo;
  info.attributes = new Attributes(info.attributes.filter((attribute) => attribute.type === EXTENSION_REQUEST));
  delete asn.certificationRequestInfoRaw;
  return { request: new Pkcs10CertificateRequest(AsnConvert.serialize(asn)), tbs, signature: asn.signature };
}

function keyProblem(request: Pkcs10CertificateRequest): string | undefined {
  const key = createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') return CURVES.has(details.namedCurve ?? '') ? undefined : `EC key on ${details.namedCurve}`;
  if (key.asymmetricKeyType !== 'rsa') return `a ${key.asymmetricKeyType} key`;
  if (!RSA_SIZES.has(details.modulusLength ?? 0) || details.publicExponent !== 65537n) return `RSA ${details.modulusLength} bits, e=${details.publicExponent}`;
  const n = BigInt(`0x${Buffer.from(key.export({ format: 'jwk' }).n!, 'base64url').toString('hex')}`);
  const factor = SMALL_PRIMES.find((prime) => n % prime === 0n);
  return factor === undefined ? undefined : `an RSA modulus with the factor ${factor}`;
}

function signatureProblem({ request, tbs, signature }: ReadRequest): string | undefined {
  const hash = HASHES[(request.signatureAlgorithm.hash as { name?: string } | undefined)?.name ?? ''];
  if (hash === undefined) return `signature algorithm ${JSON.stringify(request.signatureAlgorithm)}`;
  const key = createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' });
  return verify(hash, Buffer.from(tbs), key, Buffer.from(signature)) ? undefined : 'the signature does not verify';
}

function extensionProblem(request: Pkcs10CertificateRequest): string | undefined {
  const constraints = request.extensions.filter((extension) => extension.type === BASIC_CONSTRAINTS);
  if (constraints.some((extension) => new BasicConstraintsExtension(extension.rawData).ca)) return 'a CA certificate was requested';
  if (request.extensions.filter((extension) => extension.type === SUBJECT_ALT_NAME).length > 1) return 'two subjectAltName extensions';
  return undefined;
}

function identifierProblem(request: Pkcs10CertificateRequest, acceptedIps: readonly string[], policy: OraclePolicy): string | undefined {
  const san = request.extensions.find((extension) => extension.type === SUBJECT_ALT_NAME);
  const names = san ? new SubjectAlternativeNameExtension(san.rawData).names.items : [];
  if (names.some((name) => name.type !== 'ip')) return `a non-IP name: ${names.find((name) => name.type !== 'ip')!.type}`;
  const commonNames = request.subjectName.getField('CN');
  const ips = san ? names.map((name) => name.value) : policy.shape === 'smsgate' ? commonNames : [];
  const unique = [...new Set(ips)];
  const outside = unique.find((ip) => !inAllowedRanges(ip, policy.allowedCidrs));
  if (outside !== undefined) return `${outside} is not inside ${policy.allowedCidrs.join(', ')}`;
  const limit = policy.shape === 'smsgate' ? 1 : policy.maxIdentifiers;
  if (unique.length < 1 || unique.length > limit) return `${unique.length} addresses under the ${policy.shape} shape`;
  return commonNameProblem(commonNames, unique, policy) ?? sameAddresses(acceptedIps, unique);
}

function commonNameProblem(commonNames: readonly string[], ips: readonly string[], policy: OraclePolicy): string | undefined {
  const agrees = commonNames.every((cn) => ips.includes(cn)) && (policy.shape === 'multi' || commonNames.length <= 1);
  return agrees ? undefined : `CN ${commonNames.join('|')} vs ${ips.join(' ')}`;
}

function sameAddresses(acceptedIps: readonly string[], ips: readonly string[]): string | undefined {
  const accepted = [...new Set(acceptedIps)].sort();
  return accepted.join(' ') === [...ips].sort().join(' ') ? undefined : `the core validated ${accepted.join(' ')}, the request holds ${ips.join(' ')}`;
}

function inAllowedRanges(ip: string, cidrs: readonly string[]): boolean {
  if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return false;
  const address = ipaddr.IPv4.parse(ip);
  return cidrs.some((cidr) => address.match(ipaddr.IPv4.parseCIDR(cidr)));
}
