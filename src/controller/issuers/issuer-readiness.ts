import { CaError, isCaError, Ipv4RangeSet } from '../../ca/index.js';
import type { IssuerReason, IssuerSpec } from '../../custom-resources/crd-types.js';

export type IssuerReadiness =
  | { readonly ready: true; readonly allowedRanges: Ipv4RangeSet; readonly message: string }
  | { readonly ready: false; readonly reason: Exclude<IssuerReason, 'Ready'>; readonly message: string };

/** Where the issuer's CA stands, as the reconciler found it. */
export type IssuerCaState =
  | { readonly kind: 'operator'; readonly allowedRanges: Ipv4RangeSet }
  | { readonly kind: 'operator-unusable'; readonly reason: 'CANotFound' | 'CANotUsable'; readonly message: string }
  | { readonly kind: 'secret'; readonly secretName: string; readonly allowedRanges: Ipv4RangeSet }
  | { readonly kind: 'missing'; readonly secretName: string; readonly namespace: string }
  | { readonly kind: 'invalid'; readonly secretName: string; readonly message: string };

/**
 * Pure: is an IPIssuer/IPClusterIssuer usable, and for which ranges? `allowedCIDRs` must lie
 * inside the CA's ranges; absent means all of them.
 */
export function issuerReadiness(spec: IssuerSpec | undefined, ca: IssuerCaState): IssuerReadiness {
  if (ca.kind === 'missing') return { ready: false, reason: 'CANotFound', message: `CA Secret ${ca.namespace}/${ca.secretName} not found` };
  if (ca.kind === 'operator-unusable') return { ready: false, reason: ca.reason, message: `the operator's CA cannot sign: ${ca.message}` };
  if (ca.kind === 'invalid') return { ready: false, reason: 'Invalid', message: `CA Secret ${ca.secretName}: ${ca.message}` };
  const cidrs = spec?.allowedCIDRs;
  if (cidrs === undefined) return { ready: true, allowedRanges: ca.allowedRanges, message: `signs for ${ca.allowedRanges.toString()}` };
  let ranges: Ipv4RangeSet;
  try {
    if (!Array.isArray(cidrs) || cidrs.length === 0) throw new CaError('cidr_invalid', 'spec.allowedCIDRs must list at least one CIDR');
    ranges = Ipv4RangeSet.parse(cidrs);
  } catch (error) {
    if (!isCaError(error)) throw error;
    return { ready: false, reason: 'Invalid', message: `spec.allowedCIDRs: ${error.message}` };
  }
  for (const cidr of ranges.toStrings()) {
    if (!ca.allowedRanges.covers(Ipv4RangeSet.parse(cidr))) {
      return { ready: false, reason: 'Invalid', message: `spec.allowedCIDRs: ${cidr} is not inside the CA's ranges ${ca.allowedRanges.toString()}` };
    }
  }
  return { ready: true, allowedRanges: ranges, message: `signs for ${ranges.toString()}` };
}
