import type { CaMaterial, IssuedCertificate, Ipv4RangeSet } from '../../ca/index.js';
import type { IssueRequest } from '../../issuance/issuance-types.js';

/** What signs for the controller: the issuance service (same policy, same audit record as every door). */
export interface CertificateIssuer {
  issue(request: IssueRequest): Promise<IssuedCertificate>;
}

/**
 * Builds an issuance service for a CA and the ranges an issuer allows (serve/ supplies it);
 * `material` undefined: the operator's own CA, whichever intermediate is active when it signs.
 */
export type IssuerFactory = (material: CaMaterial | undefined, allowedRanges: Ipv4RangeSet) => CertificateIssuer;

/** The intermediates a Secret's certificate may chain to: the one that signs now and the former ones still valid. */
export type SignerMaterial = Pick<CaMaterial, 'signerCertificatePem' | 'signerCertificateDer' | 'chainPem' | 'rootPem' | 'notAfter'>;

/** A resolved signer: the issuer to call and the CA material its certificates chain to. */
export interface SigningCa {
  /** Changes whenever the CA or the allowed ranges change (cache key, Secret annotation). */
  readonly id: string;
  readonly issuer: CertificateIssuer;
  readonly material: SignerMaterial;
  /** Earlier intermediates of the same CA: a certificate they signed stays valid until it is renewed. */
  readonly former?: readonly SignerMaterial[];
  readonly allowedRanges: Ipv4RangeSet;
}

export type IssuerResolution =
  | { readonly ok: true; readonly ca: SigningCa }
  | { readonly ok: false; readonly reason: 'IssuerNotFound' | 'IssuerNotReady'; readonly message: string };

/** The operator's own CA as it stands now: it rolls over to new intermediates, and may be missing or unusable. */
export type OperatorCaView =
  | { readonly usable: true; readonly material: CaMaterial; readonly former: readonly CaMaterial[] }
  | { readonly usable: false; readonly reason: 'CANotFound' | 'CANotUsable'; readonly message: string; readonly material?: CaMaterial };

/** The operator's own CA: what signs when no issuer is named or the issuer names no CA. */
export interface OperatorCa {
  readonly issuer: CertificateIssuer;
  current(): OperatorCaView;
}

/** An operator CA that never changes (tests, tools). */
export function fixedOperatorCa(material: CaMaterial, issuer: CertificateIssuer): OperatorCa {
  return { issuer, current: () => ({ usable: true, material, former: [] }) };
}
