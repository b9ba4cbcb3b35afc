import type { CertificateType, ExtendedKeyUsage, ForbiddenKeys, IssuedCertificate, Ipv4, SubjectKey } from '../ca/index.js';

/** What the service needs from the CA core's LeafSigner (structural, so tests can pass a fake). */
export interface CertificateSigner {
  /** Keys the service refuses at every intake in front of this signer: the CA's own (LeafSigner.caKeys). */
  readonly caKeys: ForbiddenKeys;
  issue(request: {
    readonly subject: SubjectKey;
    readonly ips: readonly Ipv4[];
    readonly type: CertificateType;
    readonly notBefore?: Date;
    readonly notAfter?: Date;
    readonly extendedKeyUsages?: readonly ExtendedKeyUsage[];
  }): IssuedCertificate;

  /**
   * Throws CaError (ca_unavailable) when no certificate ending at `notAfter` (default: a full-length
   * one from now) can be signed at the moment; absent: the signer can always try.
   */
  ensureAvailable?(request: { readonly notAfter?: Date }): void;
}
