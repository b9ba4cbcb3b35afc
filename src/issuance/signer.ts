import type { CertificateType, ExtendedKeyUsage, IssuedCertificate, Ipv4, SubjectKey } from '../ca/index.js';

/** What the service needs from the CA core's LeafSigner (structural, so tests can pass a fake). */
export interface CertificateSigner {
  issue(request: {
    readonly subject: SubjectKey;
    readonly ips: readonly Ipv4[];
    readonly type: CertificateType;
    readonly notBefore?: Date;
    readonly notAfter?: Date;
    readonly extendedKeyUsages?: readonly ExtendedKeyUsage[];
  }): IssuedCertificate;
}
