import { describe, expect, it } from 'vitest';
import { approvalChanged, approvalDecisionOf, withCondition } from '../../../src/custom-resources/approval-conditions.js';
import type { Condition } from '../../../src/kube/core-types.js';
import { awaitingApprovalOf, csrRequestRecordOf } from '../../../src/store/kubernetes/record-mapping.js';
import type { CertificateRequest } from '../../../src/custom-resources/crd-types.js';

const approved: Condition = { type: 'Approved', status: 'True', reason: 'KubectlApproved', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' };
const denied: Condition = { type: 'Denied', status: 'True', reason: 'KubectlDenied', message: 'not ours', lastTransitionTime: '2026-01-01T00:00:00Z' };
const ready: Condition = { type: 'Ready', status: 'True', reason: 'Issued', message: 'issued', lastTransitionTime: '2026-01-01T00:00:00Z' };

function restRecord(conditions?: Condition[], approvalRequired = true): CertificateRequest {
  return {
    apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
    kind: 'CertificateRequest',
    metadata: {
      name: 'req-aaaaaaaaaaaaaaaaaaaaaaaaaa',
      labels: { 'ca.sms-gate.app/source': 'rest', ...(approvalRequired ? { 'ca.sms-gate.app/approval-required': 'true' } : {}) },
      annotations: { 'ca.sms-gate.app/ip-addresses': '10.0.0.5', 'ca.sms-gate.app/created-at': '2026-01-01T00:00:00.000Z' },
    },
    spec: { type: 'webhook', request: '-----BEGIN CERTIFICATE REQUEST-----\n' },
    ...(conditions ? { status: { conditions } } : {}),
  };
}

describe('approval conditions (cert-manager style Approved / Denied)', () => {
  it('reads a decision only from status True; Denied wins over Approved', () => {
    expect(approvalDecisionOf(undefined)).toBeUndefined();
    expect(approvalDecisionOf([ready, { ...approved, status: 'False' }])).toBeUndefined();
    expect(approvalDecisionOf([approved])).toEqual({ decision: 'approved', reason: 'KubectlApproved', message: 'ok' });
    expect(approvalDecisionOf([approved, denied])).toEqual({ decision: 'denied', reason: 'KubectlDenied', message: 'not ours' });
  });

  it('tells a status write that changed the approval from one that did not', () => {
    expect(approvalChanged([approved], [])).toBe(true);
    expect(approvalChanged([approved, ready], [approved])).toBe(false);
    expect(approvalChanged([denied], [{ ...denied, message: 'other' }])).toBe(true);
  });

  it('replaces a condition of the same type and keeps lastTransitionTime while the status is unchanged', () => {
    const update = { type: 'Ready', status: 'True' as const, reason: 'Issued', message: 'again' };
    expect(withCondition([approved, ready], update, '2026-02-02T00:00:00Z')).toEqual([approved, { ...update, lastTransitionTime: ready.lastTransitionTime }]);
    expect(withCondition([approved], update, '2026-02-02T00:00:00Z')).toEqual([approved, { ...update, lastTransitionTime: '2026-02-02T00:00:00Z' }]);
  });
});

describe('REST records held for an approver', () => {
  it('wait until Approved or Denied; a record the policy let through never waits', () => {
    expect(awaitingApprovalOf(restRecord())).toBe(true);
    expect(awaitingApprovalOf(restRecord([approved]))).toBe(false);
    expect(awaitingApprovalOf(restRecord([denied]))).toBe(false);
    expect(awaitingApprovalOf(restRecord(undefined, false))).toBe(false);
    expect(csrRequestRecordOf(restRecord(undefined, false), 'REQ_X').awaitingApproval).toBeUndefined();
  });

  it('an approver denial is pending until the signer records it, with the condition message as the reason', () => {
    const record = csrRequestRecordOf(restRecord([denied]), 'REQ_X');
    expect(record).toMatchObject({ status: 'pending', awaitingApproval: false, approverDenial: 'not ours', decidedBy: 'the Denied condition (reason KubectlDenied)' });
    const recorded = csrRequestRecordOf(restRecord([denied, { type: 'Ready', status: 'False', reason: 'Denied', message: 'not ours' }]), 'REQ_X');
    expect(recorded).toMatchObject({ status: 'denied', denyReason: 'not ours' });
    expect(recorded.approverDenial).toBeUndefined();
  });
});
