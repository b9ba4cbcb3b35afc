import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../../src/ca/index.js';
import { approvalVerdict, type ApprovalPolicy } from '../../../src/issuance/approval-policy.js';

const requester = (trusted: string[] = []): ApprovalPolicy => ({ mode: 'requester', trustedRequesters: trusted.map(parseCidr) });

describe('the REST approval policy', () => {
  it('auto approves every request', () => {
    expect(approvalVerdict({ mode: 'auto', trustedRequesters: [] }, '10.9.9.9', ['192.168.1.1']).approved).toBe(true);
  });

  it('manual approves none, even a device asking for itself or a trusted requester', () => {
    expect(approvalVerdict({ mode: 'manual', trustedRequesters: [parseCidr('10.0.0.0/8')] }, '10.0.0.5', ['10.0.0.5']).approved).toBe(false);
  });

  it.each<[string, ApprovalPolicy, string, string[], boolean]>([
    ['a device asking for itself', requester(), '192.168.1.50', ['192.168.1.50'], true],
    ['another address', requester(), '192.168.1.50', ['192.168.1.1'], false],
    ['itself and another address', requester(), '192.168.1.50', ['192.168.1.50', '192.168.1.51'], false],
    ['an IPv6 client', requester(), '::1', ['10.0.0.1'], false],
    ['a trusted requester asking for any address', requester(['10.1.0.0/16']), '10.1.2.3', ['192.168.1.1'], true],
    ['just outside the trusted range', requester(['10.1.0.0/16']), '10.2.0.1', ['192.168.1.1'], false],
  ])('requester: %s → approved %s', (_name, policy, client, ips, approved) => {
    const verdict = approvalVerdict(policy, client, ips);
    expect(verdict.approved).toBe(approved);
    expect(verdict.because).toMatch(/rest-approval requester/);
  });
});
