import { describe, expect, it } from 'vitest';
import { CaError } from '../../../src/ca/index.js';
import { conditionReasonFor } from '../../../src/controller/ca-error-reason.js';
import { failedStatus, readyStatus, refusedThisGeneration } from '../../../src/controller/certificate-request/certificate-status.js';
import { setCondition } from '../../../src/controller/runtime/conditions.js';
import { FreshCache } from '../../../src/controller/runtime/fresh-cache.js';
import { jsonEqual } from '../../../src/controller/runtime/json-equal.js';
import { statusPatch } from '../../../src/controller/runtime/status-patch.js';
import type { CertificateRequest } from '../../../src/custom-resources/crd-types.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';

const t0 = new Date('2026-03-01T10:00:00.250Z');
const t1 = new Date('2026-03-01T11:00:00Z');
const cr: CertificateRequest = { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', metadata: { name: 'r', generation: 2 }, spec: { ipAddresses: ['10.0.0.1'], secretName: 's' } };

describe('conditions', () => {
  it('moves lastTransitionTime only when the status changes', () => {
    const first = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending', message: 'a' }, t0);
    expect(first[0]?.lastTransitionTime).toBe('2026-03-01T10:00:00Z');
    const same = setCondition(first, { type: 'Ready', status: 'False', reason: 'Failed', message: 'b' }, t1);
    expect(same[0]).toMatchObject({ reason: 'Failed', lastTransitionTime: '2026-03-01T10:00:00Z' });
    const flipped = setCondition(same, { type: 'Ready', status: 'True', reason: 'Issued', message: 'c' }, t1);
    expect(flipped[0]?.lastTransitionTime).toBe('2026-03-01T11:00:00Z');
  });
});

describe('CertificateRequest status (pure)', () => {
  it('describes a current certificate with observedGeneration', () => {
    const status = readyStatus(cr, { serialNumber: '01ab', notBefore: t0, notAfter: t1, revision: 3 }, t1, t0);
    expect(status).toMatchObject({ serialNumber: '01ab', revision: 3, observedGeneration: 2, notAfter: '2026-03-01T11:00:00Z', renewalTime: '2026-03-01T11:00:00Z' });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Issued', observedGeneration: 2 })]);
  });

  it('keeps lastFailureTime while the same failure repeats, and treats policy refusals as final per generation', () => {
    const failed = failedStatus(cr, 'PolicyViolation', '8.8.8.8', t0);
    const again = failedStatus({ ...cr, status: failed }, 'PolicyViolation', '8.8.8.8', t1);
    expect(again.lastFailureTime).toBe(failed.lastFailureTime);
    expect(jsonEqual(failed, again)).toBe(true);
    expect(refusedThisGeneration({ ...cr, status: failed })).toBe(true);
    expect(refusedThisGeneration({ ...cr, metadata: { ...cr.metadata, generation: 3 }, status: failed })).toBe(false);
    expect(failedStatus({ ...cr, status: failed }, 'Pending', 'issuer', t1).lastFailureTime).toBe('2026-03-01T11:00:00Z');
  });

  it('maps core refusals to condition reasons', () => {
    expect(conditionReasonFor(new CaError('identifier_not_allowed', 'x'))).toBe('PolicyViolation');
    expect(conditionReasonFor(new CaError('pem_invalid', 'x'))).toBe('InvalidRequest');
    expect(conditionReasonFor(new CaError('validity_invalid', 'x'))).toBe('Failed');
  });
});

describe('status patch', () => {
  it('nulls members that disappear and carries the resourceVersion precondition', () => {
    expect(statusPatch({ a: 1, b: 2 }, { a: 3 }, '42')).toEqual({ metadata: { resourceVersion: '42' }, status: { a: 3, b: null } });
    expect(statusPatch(undefined, { a: 1 }, undefined)).toEqual({ status: { a: 1 } });
  });
});

describe('FreshCache', () => {
  it('serves our own write until the informer has caught up with it', () => {
    const informer = new Map<string, KubeObject>();
    const cache = new FreshCache<KubeObject>({ get: (key) => informer.get(key), hasSynced: true });
    informer.set('ns/a', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '10' } });
    cache.wrote({ metadata: { name: 'a', namespace: 'ns', resourceVersion: '12' } });
    expect(cache.get('ns/a')?.metadata?.resourceVersion).toBe('12');
    informer.set('ns/a', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '13' } });
    expect(cache.get('ns/a')?.metadata?.resourceVersion).toBe('13');
    expect(cache.pendingWrites).toBe(0);
    cache.wrote({ metadata: { name: 'b', namespace: 'ns', resourceVersion: '20' } });
    cache.deleted('ns/b');
    expect(cache.get('ns/b')).toBeUndefined();
  });
});
