import { cidrContains, isCanonicalIpv4, parseIpv4, type Ipv4, type Ipv4Cidr } from '../ca/index.js';

/** Who approves a REST request; `auto` signs every request the CSR policy accepts. */
export type ApprovalMode = 'auto' | 'requester' | 'manual';

export interface ApprovalPolicy {
  readonly mode: ApprovalMode;
  /** With `requester`: clients whose requests are approved whatever IPs they ask for. */
  readonly trustedRequesters: readonly Ipv4Cidr[];
}

export const AUTO_APPROVAL: ApprovalPolicy = Object.freeze({ mode: 'auto', trustedRequesters: Object.freeze([]) });

/** Why a request was approved by the policy, or that it waits for an administrator. */
export type ApprovalVerdict =
  | { readonly approved: true; readonly because: string }
  | { readonly approved: false; readonly because: string };

/**
 * The policy's verdict on a request already accepted by the CSR policy. `requester` approves a
 * device asking for itself: every IP in the CSR is the address the request came from (after
 * --trusted-proxies), or the client is a trusted requester.
 */
export function approvalVerdict(policy: ApprovalPolicy, requester: string, ips: readonly Ipv4[]): ApprovalVerdict {
  if (policy.mode === 'auto') return { approved: true, because: 'rest-approval auto' };
  if (policy.mode === 'manual') return { approved: false, because: 'rest-approval manual: every request waits for an administrator' };
  if (ips.length > 0 && ips.every((ip) => ip === requester)) return { approved: true, because: `rest-approval requester: the client ${requester} asked for its own address` };
  if (isCanonicalIpv4(requester) && policy.trustedRequesters.some((cidr) => cidrContains(cidr, parseIpv4(requester)))) {
    return { approved: true, because: `rest-approval requester: ${requester} is a trusted requester` };
  }
  return { approved: false, because: `rest-approval requester: the client ${requester} is not the address it asks for (${ips.join(', ')}) and not a trusted requester` };
}
