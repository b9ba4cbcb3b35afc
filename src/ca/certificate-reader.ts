import {
  childrenOf,
  contentOf,
  decodeOid,
  decodeTime,
  DerReadError,
  encodingOf,
  expectTag,
  readSingle,
  type DerNode,
} from './der-reader.js';
import { OID } from './oids.js';

export interface CertificateExtension {
  readonly critical: boolean;
  /** The DER inside extnValue. */
  readonly value: Uint8Array;
}

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

/** Throws DerReadError when the certificate is not the X.509 shape. */
export function readCertificate(der: Uint8Array): CertificateFields {
  const [tbs] = childrenOf(expectTag(readSingle(der), 0x30, 'Certificate SEQUENCE'));
  const fields = childrenOf(expectTag(tbs, 0x30, 'TBSCertificate SEQUENCE'));
  const version = fields[0]?.tag === 0xa0 ? readVersion(fields.shift()!) : 1;
  const [, , issuer, validity, subject, spki, ...optional] = fields;
  const [notBefore, notAfter] = childrenOf(expectTag(validity, 0x30, 'Validity SEQUENCE'));
  if (!notBefore || !notAfter) {
    throw new DerReadError('Validity needs notBefore and notAfter');
  }
  const extensionsNode = optional.find((node) => node.tag === 0xa3);
  return {
    version,
    issuerDer: encodingOf(expectTag(issuer, 0x30, 'issuer Name')),
    subjectDer: encodingOf(expectTag(subject, 0x30, 'subject Name')),
    spkiDer: encodingOf(expectTag(spki, 0x30, 'SubjectPublicKeyInfo')),
    notBefore: decodeTime(notBefore),
    notAfter: decodeTime(notAfter),
    extensions: extensionsNode ? readExtensions(extensionsNode) : new Map(),
  };
}

function readVersion(node: DerNode): number {
  const [integer] = childrenOf(node);
  const value = contentOf(expectTag(integer, 0x02, 'version INTEGER'));
  if (value.length !== 1) {
    throw new DerReadError('malformed version');
  }
  return value[0]! + 1;
}

function readExtensions(explicit: DerNode): Map<string, CertificateExtension> {
  const [list] = childrenOf(explicit);
  const extensions = new Map<string, CertificateExtension>();
  for (const entry of childrenOf(expectTag(list, 0x30, 'Extensions SEQUENCE'))) {
    const [id, second, third] = childrenOf(entry);
    const critical = second?.tag === 0x01 ? contentOf(second)[0] === 0xff : false;
    const valueNode = second?.tag === 0x01 ? third : second;
    const extensionOid = decodeOid(expectTag(id, 0x06, 'extnID'));
    if (extensions.has(extensionOid)) {
      throw new DerReadError(`duplicate extension ${extensionOid}`);
    }
    extensions.set(extensionOid, { critical, value: contentOf(expectTag(valueNode, 0x04, 'extnValue OCTET STRING')) });
  }
  return extensions;
}

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLength?: number;
}

export function readBasicConstraints(fields: CertificateFields): BasicConstraints | undefined {
  const ext = fields.extensions.get(OID.basicConstraints);
  if (!ext) {
    return undefined;
  }
  const [first, second] = childrenOf(expectTag(readSingle(ext.value), 0x30, 'BasicConstraints SEQUENCE'));
  const ca = first?.tag === 0x01 && contentOf(first)[0] === 0xff;
  const lengthNode = first?.tag === 0x02 ? first : second;
  const pathLength = lengthNode ? Number.parseInt(Buffer.from(contentOf(lengthNode)).toString('hex') || '0', 16) : undefined;
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

/** True when the keyUsage extension is present and has the named bit set. */
export function hasKeyUsage(fields: CertificateFields, bit: number): boolean {
  const ext = fields.extensions.get(OID.keyUsage);
  if (!ext) {
    return false;
  }
  const bits = contentOf(expectTag(readSingle(ext.value), 0x03, 'KeyUsage BIT STRING'));
  return ((bits[1 + (bit >> 3)] ?? 0) & (0x80 >> (bit & 7))) !== 0;
}

export function readSubjectKeyIdentifier(fields: CertificateFields): Uint8Array | undefined {
  const ext = fields.extensions.get(OID.subjectKeyIdentifier);
  return ext ? contentOf(expectTag(readSingle(ext.value), 0x04, 'SubjectKeyIdentifier OCTET STRING')) : undefined;
}
