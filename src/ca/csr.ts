import { NO_EXTENSIONS, parseExtensionRequest } from './csr-extensions.js';
import type { RequestedExtensions } from './csr-extensions.js';
import { readSubject } from './csr-name.js';
import type { CsrSubject } from './csr-name.js';
import type { DerContext, DerReader } from './der-reader.js';
import { enterStrictSequence } from './der-strict.js';
import { TAG } from './der-tags.js';
import { CaError } from './errors.js';
import { formatIpv4, ipv4FromOctets } from './ipv4.js';
import { OID } from './oids.js';
import { CSR_PEM_LABELS, decodeSinglePem } from './pem.js';
import type { Ipv4 } from './types.js';

export const MAX_CSR_PEM_LENGTH = 16384;

/** A PKCS#10 request taken apart, with no policy applied yet. */
export interface ParsedCsr {
  readonly der: Uint8Array;
  /** The exact CertificationRequestInfo bytes: what the signature covers. */
  readonly info: Uint8Array;
  readonly subject: CsrSubject;
  /** The exact SubjectPublicKeyInfo bytes (a copy, independent of the input buffer). */
  readonly spki: Uint8Array;
  readonly extensions: RequestedExtensions;
  /** The 4-byte iPAddress entries of the subjectAltName, in order, with no policy applied. */
  readonly ipAddresses: readonly Ipv4[];
  readonly signatureAlgorithm: { readonly oid: string; readonly parameters: Uint8Array | undefined };
  readonly signature: Uint8Array;
}

const DER: DerContext = { reason: 'der_invalid', what: 'CSR' };

/**
 * Structure only, no policy: length, PEM, strict DER, PKCS#10 shape. Issuing goes through
 * `validateCsr`, which starts here.
 */
export function parseCsr(pem: string): ParsedCsr {
  checkInputLength(pem);
  const { der } = decodeSinglePem(pem, CSR_PEM_LABELS, 'CSR');
  return parseCsrDer(der);
}

export function checkInputLength(pem: unknown): void {
  if (typeof pem !== 'string') {
    throw new CaError('pem_invalid', 'the CSR must be PEM text');
  }
  if (pem.length > MAX_CSR_PEM_LENGTH) {
    throw new CaError('input_too_large', `the CSR is ${pem.length} characters long; at most ${MAX_CSR_PEM_LENGTH} are accepted`, String(pem.length));
  }
}

/** Checks every TLV for strict DER, then reads `CertificationRequest` (RFC 2986). */
export function parseCsrDer(der: Uint8Array): ParsedCsr {
  const request = enterStrictSequence(der, DER, 'CertificationRequest', 'the CSR');
  const infoElement = request.expect(TAG.SEQUENCE, 'CertificationRequestInfo');
  const info = request.child(infoElement);
  const version = info.smallInteger('version');
  if (version !== 0) {
    info.fail(`version must be 0 (v1), found ${version}`);
  }
  const subject = readSubject(info);
  const spki = info.raw(info.expect(TAG.SEQUENCE, 'SubjectPublicKeyInfo')).slice();
  const extensions = readAttributes(info.enter(0xa0, 'attributes [0]'));
  info.finish('CertificationRequestInfo');
  const signatureAlgorithm = readAlgorithm(request.enter(TAG.SEQUENCE, 'signatureAlgorithm'));
  const signature = request.octetAlignedBitString('signature');
  request.finish('CertificationRequest');
  return {
    der,
    info: request.raw(infoElement),
    subject,
    spki,
    extensions,
    ipAddresses: ipv4Entries(extensions),
    signatureAlgorithm,
    signature,
  };
}

function readAttributes(attributes: DerReader): RequestedExtensions {
  let extensions: RequestedExtensions | undefined;
  while (!attributes.atEnd()) {
    const attribute = attributes.enter(TAG.SEQUENCE, 'attribute');
    const type = attribute.oid('attribute type');
    const values = attribute.enter(TAG.SET, 'attribute values');
    attribute.finish('attribute');
    if (values.atEnd()) values.fail(`attribute ${type} has no value`);
    if (type !== OID.extensionRequest) continue;
    if (extensions !== undefined) {
      throw new CaError('extension_invalid', 'the CSR carries two extensionRequest attributes');
    }
    const value = values.next();
    if (!values.atEnd()) {
      throw new CaError('extension_invalid', 'the extensionRequest attribute holds more than one value');
    }
    extensions = parseExtensionRequest(values.bytes, value);
  }
  return extensions ?? NO_EXTENSIONS;
}

function readAlgorithm(algorithm: DerReader): ParsedCsr['signatureAlgorithm'] {
  const oid = algorithm.oid('signature algorithm');
  const parameters = algorithm.atEnd() ? undefined : algorithm.raw(algorithm.next());
  algorithm.finish('signatureAlgorithm');
  return { oid, parameters };
}

function ipv4Entries(extensions: RequestedExtensions): Ipv4[] {
  return (extensions.subjectAltNames ?? [])
    .filter((name) => name.kind === 'iPAddress' && name.value.length === 4)
    .map((name) => formatIpv4(ipv4FromOctets(name.value)));
}
