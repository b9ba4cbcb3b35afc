import type { CaMaterial, IssuedCertificate, Ipv4RangeSet } from '../../ca/index.js';
import type { IssueRequest } from '../../issuance/issuance-types.js';

/** What signs for the controller: the issuance service (same policy, same audit record as every door). */
export interface CertificateIssuer {
  issue(request: IssueRequest): Promise<IssuedCertificate>;
}

/** Builds an issuance service for a CA and the ranges an issuer allows (serve/ supplies it). */
export type IssuerFactory = (material: CaMaterial, allowedRanges: Ipv4RangeSet) => CertificateIssuer;

/** A resolved signer: the issuer to call and the CA material its certificates chain to. */
export interface SigningCa {
  /** Changes whenever the CA or the allowed ranges change (cache key, Secret annotation). */
  readonly id: string;
  readonly issuer: CertificateIssuer;
  readonly material: Pick<CaMaterial, 'signerCertificatePem' | 'signerCertificateDer' | 'chainPem' | 'rootPem' | 'notAfter'>;
  readonly allowedRanges: Ipv4RangeSet;
}

export type IssuerResolution =
  | { readonly ok: true; readonly ca: SigningCa }
  | { readonly ok: false; readonly reason: 'IssuerNotFound' | 'IssuerNotReady'; readonly message: string };
