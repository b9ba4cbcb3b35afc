import { readCertificate, type CertificateExtension } from './certificate-reader.js';
import { parseGeneralNames, type GeneralNameKind } from './csr-extensions.js';
import { TAG } from './der-tags.js';
import { extensionValueReader } from './extension-reader.js';
import { OID } from './oids.js';

/** One subjectAltName entry of a certificate; `ip` is the dotted quad of a four-octet iPAddress. */
export interface AltName {
  readonly kind: GeneralNameKind;
  readonly ip?: string;
}

/**
 * A certificate someone else made (an ACME client's tls-alpn-01 certificate, a leaf the door
 * looks up), read strictly with the core's DER reader. Throws CaError when it is not strict DER.
 */
export class CertificateInspection {
  private readonly extensions: ReadonlyMap<string, CertificateExtension>;

  constructor(der: Uint8Array) {
    this.extensions = readCertificate(der).extensions;
  }

  extension(oid: string): CertificateExtension | undefined {
    return this.extensions.get(oid);
  }

  /** The subjectAltName entries, or undefined without the extension. */
  subjectAltNames(): AltName[] | undefined {
    const extension = this.extensions.get(OID.subjectAltName);
    if (!extension) return undefined;
    return parseGeneralNames(extension.value).map(({ kind, value }) =>
      kind === 'iPAddress' && value.length === 4 ? { kind, ip: [...value].join('.') } : { kind },
    );
  }

  /** The keyIdentifier of the authorityKeyIdentifier extension (RFC 5280 §4.2.1.1), if there is one. */
  authorityKeyIdentifier(): Uint8Array | undefined {
    const extension = this.extensions.get(OID.authorityKeyIdentifier);
    if (!extension) return undefined;
    const reader = extensionValueReader(extension.value, OID.authorityKeyIdentifier, 'der_invalid');
    const aki = reader.enter(TAG.SEQUENCE, 'AuthorityKeyIdentifier');
    reader.finish('authorityKeyIdentifier');
    const keyIdentifier = aki.optional(KEY_IDENTIFIER_TAG);
    return keyIdentifier ? aki.bytes.slice(keyIdentifier.contentStart, keyIdentifier.end) : undefined;
  }
}

/** keyIdentifier [0] IMPLICIT KeyIdentifier (an OCTET STRING). */
const KEY_IDENTIFIER_TAG = 0x80;

/** The contents of an extension value that is one OCTET STRING (RFC 8737's acmeIdentifier). */
export function octetStringExtensionValue(extension: CertificateExtension, oid: string): Uint8Array {
  const reader = extensionValueReader(extension.value, oid, 'der_invalid');
  const element = reader.octetString(oid);
  reader.finish(oid);
  return reader.bytes.slice(element.contentStart, element.end);
}
