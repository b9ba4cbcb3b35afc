import { parseCsr } from './csr.js';
import type { CsrCheck, CsrUnderReview } from './csr-checks.js';
import type { CsrProfile } from './csr-profiles.js';
import { checkIpIdentifiers } from './identifier-policy.js';
import type { Ipv4RangeSet } from './ip-ranges.js';
import { checkSubjectKey, inspectSubjectKey } from './key-policy.js';
import type { Ipv4, SubjectKey, ValidatedCsr } from './types.js';

export { MAX_CSR_PEM_LENGTH } from './csr.js';

export interface CsrPolicy {
  readonly allowedRanges: Ipv4RangeSet;
  readonly profile: CsrProfile;
  /** The request's own checks (an ACME order's identifiers, its account key), after the profile's. */
  readonly checks?: readonly CsrCheck[];
}

/**
 * The one CSR intake: length → PEM → DER → structure → key policy, then the profile's checks in
 * order (requested extensions → identifiers → subject → signature), then the request's own.
 * Throws CaError only; the result carries nothing from the CSR except its key and its checked IPs.
 */
export function validateCsr(pem: string, policy: CsrPolicy): ValidatedCsr {
  const csr = parseCsr(pem);
  const start: CsrUnderReview = { csr, key: inspectSubjectKey(csr.spki), allowedRanges: policy.allowedRanges, ips: [] };
  const { key, ips } = [...policy.profile.checks, ...(policy.checks ?? [])].reduce((review, check) => check(review) ?? review, start);
  return { spki: csr.spki, key: key.key, ips, ignoredExtensions: csr.extensions.ignored };
}

/** A key and IPs without a CSR (a key the controller generated, a stored REST request): the same key policy and identifier rules. */
export function reviewKeyAndIps(request: { readonly spki: Uint8Array; readonly ips: readonly Ipv4[] }, policy: Pick<CsrPolicy, 'allowedRanges' | 'profile'>): SubjectKey & { readonly ips: readonly Ipv4[] } {
  return { ...checkSubjectKey(request.spki), ips: checkIpIdentifiers(request.ips, policy.allowedRanges, policy.profile.maxIps) };
}
