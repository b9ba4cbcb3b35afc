import { X509Certificate } from 'node:crypto';
import { asn1 } from './asn1-modules.js';
import { malformed } from './problems.js';

/** RFC 9773 §4.1 certificate identifier: base64url(AKI keyIdentifier) "." base64url(serial). */
export interface CertificateId {
  readonly keyIdentifier: Buffer;
  /** Lower-case hex, as the ledger keys certificates. */
  readonly serialNumber: string;
}

export function parseCertificateId(text: string): CertificateId {
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(text);
  if (!match) throw malformed('a certificate identifier (RFC 9773) is base64url(keyIdentifier) "." base64url(serial)');
  const serial = Buffer.from(match[2]!, 'base64url');
  // The serial is the DER INTEGER's content octets; ours are positive with a non-zero first byte.
  return { keyIdentifier: Buffer.from(match[1]!, 'base64url'), serialNumber: serial.toString('hex') };
}

/** The canonical spelling (unpadded base64url of the exact bytes). */
export function formatCertificateId(id: CertificateId): string {
  return `${id.keyIdentifier.toString('base64url')}.${Buffer.from(id.serialNumber, 'hex').toString('base64url')}`;
}

/** The keyIdentifier of the leaf's authorityKeyIdentifier (empty when it has none). */
export function authorityKeyIdentifierOf(chainPem: string): Buffer {
  const { schema, x509 } = asn1();
  const { AsnConvert } = schema;
  const { AuthorityKeyIdentifier, Certificate, id_ce_authorityKeyIdentifier } = x509;
  const parsed = AsnConvert.parse(new X509Certificate(chainPem).raw, Certificate);
  const extension = parsed.tbsCertificate.extensions?.find((candidate) => candidate.extnID === id_ce_authorityKeyIdentifier);
  if (!extension) return Buffer.alloc(0);
  const aki = AsnConvert.parse(extension.extnValue, AuthorityKeyIdentifier);
  return aki.keyIdentifier ? Buffer.from(aki.keyIdentifier.buffer) : Buffer.alloc(0);
}
