import {
  commonNameAmongTheIps,
  commonNameIsTheIp,
  ipsFromSubjectAltName,
  ipsFromSubjectAltNameOrLoneCommonName,
  notACaRequest,
  signatureVerified,
  type CsrCheck,
} from './csr-checks.js';
import { MAX_IPS_PER_CERTIFICATE } from './identifier-policy.js';

/** What a door accepts: how many IPs a certificate may carry, and the ordered checks of a CSR (cheapest first). */
export interface CsrProfile {
  readonly name: string;
  readonly maxIps: number;
  readonly checks: readonly CsrCheck[];
}

/** Several IPs, up to `maxIps`, from the subjectAltName; no CN or a CN that is one of them. */
export function severalIpsProfile(name: string, maxIps: number): CsrProfile {
  return { name, maxIps, checks: [notACaRequest, ipsFromSubjectAltName(maxIps), commonNameAmongTheIps, signatureVerified] };
}

/** The profiles of the doors, each defined here once. */
export const CSR_PROFILES = {
  /**
   * The SMSGate CA's rule (the REST door, `sign`): exactly one IP and the subject CN equal to it; a
   * CSR without any SAN extension may carry the IP as its only CN.
   */
  smsgate: { name: 'smsgate', maxIps: 1, checks: [notACaRequest, ipsFromSubjectAltNameOrLoneCommonName(1), commonNameIsTheIp, signatureVerified] },
  acme: severalIpsProfile('acme', MAX_IPS_PER_CERTIFICATE),
  kubernetes: severalIpsProfile('kubernetes', MAX_IPS_PER_CERTIFICATE),
} as const satisfies Record<string, CsrProfile>;

export type CsrProfileName = keyof typeof CSR_PROFILES;
