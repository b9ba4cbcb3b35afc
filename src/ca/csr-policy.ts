import { parseCsr } from './csr.js';
import type { CsrCheck, CsrUnderReview } from './csr-checks.js';
import type { CsrProfile } from './csr-profiles.js';
import { checkIpIdentifiers } from './identifier-policy.js';
import type { Ipv4RangeSet } from './ip-ranges.js';
import type { ForbiddenKeys } from './key-quality/forbidden-keys.js';
import { inspectSubjectKey, type InspectedSubjectKey } from './key-policy.js';
import type { Ipv4, SubjectKey, ValidatedCsr } from './types.js';

export { MAX_CSR_PEM_LENGTH } from './csr.js';

export interface CsrPolicy {
  readonly allowedRanges: Ipv4RangeSet;
  readonly profile: CsrProfile;
  /** The request's own checks (an ACME order's identifiers, its account key), after the profile's. */
  readonly checks?: readonly CsrCheck[];
  /** Keys never certified for anyone (the issuing CA's own: see caKeysOf), refused with the key policy. */
  readonly forbiddenKeys?: ForbiddenKeys;
}

/**
 * The one CSR intake: length → PEM → DER → structure → key policy (forbidden keys included), then the profile's checks in
 * order (requested extensions → identifiers → subject → signature), then the request's own.
 * Throws CaError only; the result carries nothing from the CSR except its key and its checked IPs.
 */
export function validateCsr(pem: string, policy: CsrPolicy): ValidatedCsr {
  const csr = parseCsr(pem);
  const start: CsrUnderReview = { csr, key: acceptedKey(csr.spki, policy), allowedRanges: policy.allowedRanges, ips: [] };
  const { key, ips } = [...policy.profile.checks, ...(policy.checks ?? [])].reduce((review, check) => check(review) ?? review, start);
  return { spki: csr.spki, key: key.key, ips, ignoredExtensions: csr.extensions.ignored };
}

/** A key and IPs without a CSR (a key the controller generated, a stored REST request): the same key policy and identifier rules. */
export function reviewKeyAndIps(request: { readonly spki: Uint8Array; readonly ips: readonly Ipv4[] }, policy: Omit<CsrPolicy, 'checks'>): SubjectKey & { readonly ips: readonly Ipv4[] } {
  const { spki, key } = acceptedKey(request.spki, policy);
  return { spki, key, ips: checkIpIdentifiers(request.ips, policy.allowedRanges, policy.profile.maxIps) };
}

function acceptedKey(spki: Uint8Array, policy: Pick<CsrPolicy, 'forbiddenKeys'>): InspectedSubjectKey {
  const key = inspectSubjectKey(spki);
  policy.forbiddenKeys?.check(key.jwk);
  return key;
}
