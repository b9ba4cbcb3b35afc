import { describe, expect, it } from 'vitest';
import { isOurCertManagerRequest, planCertManager } from '../../../src/controller/cert-manager/cert-manager-plan.js';
import { deniedStatus, issuedStatus, refusedStatus } from '../../../src/controller/cert-manager/cert-manager-status.js';
import type { CertManagerCertificateRequest, CertManagerCondition } from '../../../src/custom-resources/cert-manager-types.js';

function request(conditions: CertManagerCondition[] = [], issuerRef = { name: 'i', kind: 'IPIssuer', group: 'smsgate-ca.sms-gate.app' }): CertManagerCertificateRequest {
  return { metadata: { name: 'r', namespace: 'default' }, spec: { request: 'Q1NS', issuerRef }, status: { conditions } };
}

const approved: CertManagerCondition = { type: 'Approved', status: 'True', reason: 'cert-manager.io' };
const denied: CertManagerCondition = { type: 'Denied', status: 'True', reason: 'policy', message: 'no' };

describe("cert-manager's external-issuer contract (pure)", () => {
  it('ignores other groups and kinds', () => {
    expect(planCertManager(request([approved], { name: 'le', kind: 'ClusterIssuer', group: 'cert-manager.io' }))).toEqual({ kind: 'ignore', why: 'foreign' });
    expect(isOurCertManagerRequest(request([], { name: 'x', kind: 'Issuer', group: 'smsgate-ca.sms-gate.app' }))).toBe(false);
  });

  it('does nothing until approved, honours Denied, signs when approved', () => {
    expect(planCertManager(request())).toEqual({ kind: 'ignore', why: 'unapproved' });
    expect(planCertManager(request([denied]))).toMatchObject({ kind: 'deny' });
    expect(planCertManager(request([approved]))).toEqual({ kind: 'sign' });
  });

  it('treats Ready=True and Ready=False Failed/Denied as final, Pending as not', () => {
    for (const reason of ['Failed', 'Denied']) expect(planCertManager(request([approved, { type: 'Ready', status: 'False', reason }])).kind).toBe('ignore');
    expect(planCertManager(request([approved, { type: 'Ready', status: 'True', reason: 'Issued' }])).kind).toBe('ignore');
    expect(planCertManager(request([approved, { type: 'Ready', status: 'False', reason: 'Pending' }])).kind).toBe('sign');
  });

  it('writes base64 PEM, failure times and InvalidRequest as cert-manager expects', () => {
    const now = new Date('2026-02-02T02:02:02.500Z');
    const issued = issuedStatus(request([approved]), 'CHAIN', 'ROOT', now);
    expect(issued.certificate).toBe(Buffer.from('CHAIN').toString('base64'));
    expect(issued.ca).toBe(Buffer.from('ROOT').toString('base64'));
    expect(issued.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Issued', lastTransitionTime: '2026-02-02T02:02:02Z' });
    expect(issued.conditions?.find((c) => c.type === 'Approved')).toEqual(approved);
    expect(deniedStatus(request([denied]), 'denied', now)).toMatchObject({ failureTime: '2026-02-02T02:02:02Z' });
    const refused = refusedStatus(request([approved]), 'PolicyViolation', '8.8.8.8 is public', now);
    expect(refused.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(refused.conditions?.find((c) => c.type === 'InvalidRequest')).toMatchObject({ status: 'True', reason: 'PolicyViolation', message: '8.8.8.8 is public' });
  });
});
