import type { DerContext, DerReader } from './der-reader.js';
import { enterStrictSequence } from './der-strict.js';
import { TAG } from './der-tags.js';
import { decodeBasicConstraints, decodeKeyUsage, extensionValueReader, readExtensions } from './extension-reader.js';
import type { BasicConstraints, Extension } from './extension-reader.js';
import { OID } from './oids.js';

export type { BasicConstraints } from './extension-reader.js';
export type CertificateExtension = Extension;

/** The parts of a certificate the CA needs, with exact byte ranges for names and the key. */
export interface CertificateFields {
  readonly version: number;
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly spkiDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: ReadonlyMap<string, CertificateExtension>;
}

const CERTIFICATE: DerContext = { reason: 'ca_material_invalid', what: 'certificate' };
const VERSION_TAG = 0xa0;
const ISSUER_UNIQUE_ID_TAG = 0x81;
const SUBJECT_UNIQUE_ID_TAG = 0x82;
const EXTENSIONS_TAG = 0xa3;

/** Throws CaError (ca_material_invalid) when the certificate is not strict DER or not the X.509 shape. */
export function readCertificate(der: Uint8Array): CertificateFields {
  const certificate = enterStrictSequence(der, CERTIFICATE, 'Certificate', 'the certificate');
  const fields = readTbsCertificate(certificate.enter(TAG.SEQUENCE, 'TBSCertificate'));
  certificate.expect(TAG.SEQUENCE, 'signatureAlgorithm');
  certificate.expect(TAG.BIT_STRING, 'signatureValue');
  certificate.finish('Certificate');
  return fields;
}

function readTbsCertificate(tbs: DerReader): CertificateFields {
  const versionElement = tbs.optional(VERSION_TAG);
  const version = versionElement ? readVersion(tbs.child(versionElement)) : 1;
  tbs.integer('serialNumber');
  tbs.expect(TAG.SEQUENCE, 'signature');
  const issuerDer = tbs.raw(tbs.expect(TAG.SEQUENCE, 'issuer'));
  const validity = tbs.enter(TAG.SEQUENCE, 'validity');
  const notBefore = validity.time('notBefore');
  const notAfter = validity.time('notAfter');
  validity.finish('validity');
  const subjectDer = tbs.raw(tbs.expect(TAG.SEQUENCE, 'subject'));
  const spkiDer = tbs.raw(tbs.expect(TAG.SEQUENCE, 'subjectPublicKeyInfo'));
  tbs.optional(ISSUER_UNIQUE_ID_TAG);
  tbs.optional(SUBJECT_UNIQUE_ID_TAG);
  const extensionsElement = tbs.optional(EXTENSIONS_TAG);
  tbs.finish('TBSCertificate');
  const extensions = extensionsElement ? readExtensionsField(tbs.child(extensionsElement)) : new Map<string, CertificateExtension>();
  return { version, issuerDer, subjectDer, spkiDer, notBefore, notAfter, extensions };
}

function readVersion(explicit: DerReader): number {
  const version = explicit.smallInteger('version');
  explicit.finish('version');
  return version + 1;
}

/** extensions [3] EXPLICIT Extensions. */
function readExtensionsField(explicit: DerReader): Map<string, CertificateExtension> {
  const list = explicit.enter(TAG.SEQUENCE, 'Extensions');
  explicit.finish('extensions [3]');
  return readExtensions(list);
}

export function readBasicConstraints(fields: CertificateFields): BasicConstraints | undefined {
  const extension = fields.extensions.get(OID.basicConstraints);
  return extension ? decodeBasicConstraints(extension.value, CERTIFICATE.reason) : undefined;
}

/** True when the keyUsage extension is present and has the named bit set. */
export function hasKeyUsage(fields: CertificateFields, bit: number): boolean {
  const extension = fields.extensions.get(OID.keyUsage);
  if (!extension) {
    return false;
  }
  const bits = decodeKeyUsage(extension.value, CERTIFICATE.reason);
  return ((bits[1 + (bit >> 3)] ?? 0) & (0x80 >> (bit & 7))) !== 0;
}

export function readSubjectKeyIdentifier(fields: CertificateFields): Uint8Array | undefined {
  const extension = fields.extensions.get(OID.subjectKeyIdentifier);
  if (!extension) {
    return undefined;
  }
  const reader = extensionValueReader(extension.value, OID.subjectKeyIdentifier, CERTIFICATE.reason);
  const keyIdentifier = reader.octetString('subjectKeyIdentifier');
  reader.finish('subjectKeyIdentifier');
  return reader.bytes.subarray(keyIdentifier.contentStart, keyIdentifier.end);
}

/** The key purposes (OIDs) of the extKeyUsage extension; undefined when the certificate has none (any purpose). */
export function readExtendedKeyUsage(fields: CertificateFields): string[] | undefined {
  const extension = fields.extensions.get(OID.extKeyUsage);
  if (!extension) {
    return undefined;
  }
  const reader = extensionValueReader(extension.value, OID.extKeyUsage, CERTIFICATE.reason);
  const purposes = reader.enter(TAG.SEQUENCE, 'ExtKeyUsageSyntax');
  reader.finish('extKeyUsage');
  const oids: string[] = [];
  while (!purposes.atEnd()) oids.push(purposes.oid('KeyPurposeId'));
  return oids;
}
