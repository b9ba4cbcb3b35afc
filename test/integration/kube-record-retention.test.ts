import { beforeAll, describe, expect, it } from 'vitest';
import { KubernetesStore } from '../../src/store/kubernetes/kubernetes-store.js';
import type { IssuedCertificateRecord, NewCsrRequest } from '../../src/store/records.js';
import type { JsonObject } from '../support/fake-apiserver/index.js';
import { useKubeDouble } from '../support/kube-double.js';

/**
 * `--record-retention`: the REST and ACME records (CertificateRequests of the operator's namespace
 * labelled with their door) are deleted once their certificate expired, or their request was
 * denied, longer ago than the retention; pending ones and the controller's own CertificateRequests
 * are never touched.
 */
const NAMESPACE = 'default';
const DAY = 86_400_000;
const NOW = new Date('2030-06-01T12:00:00Z');
const RETENTION = 30 * DAY;
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
const PEM = '-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n';

const kube = useKubeDouble();
let store: KubernetesStore;

beforeAll(() => {
  store = new KubernetesStore({ api: kube.api(), namespace: NAMESPACE, podName: 'smsgate-ca-0' });
});

const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
/** Request letters are A–F, so they make hex digests and serials too. */
const idOf = (letter: string) => `REQ_${letter.repeat(26)}`;

function request(letter: string, at: Date): NewCsrRequest {
  return { id: idOf(letter), type: 'webhook', csrPem: CSR, csrSha256: letter.toLowerCase().repeat(64), subjectSpki: Uint8Array.of(1, 2, 3), ips: ['192.168.1.2'], metadata: {}, requester: '10.0.0.9', createdAt: at };
}

function certificate(serialNumber: string, door: 'rest' | 'acme', requestId: string, notAfter: Date): IssuedCertificateRecord {
  const notBefore = new Date(notAfter.getTime() - 90 * DAY);
  return { serialNumber, door, type: 'webhook', ips: ['192.168.1.2'], notBefore, notAfter, requester: '10.0.0.9', issuedAt: notBefore, certificatePem: PEM, requestId, csrPem: CSR };
}

async function restRequest(letter: string, outcome: { approvedUntil: Date } | { deniedAt: Date } | 'pending'): Promise<void> {
  const created = ago(200);
  await store.createPending(request(letter, created), { at: created, event: 'submitted', door: 'rest', requester: '10.0.0.9', requestId: idOf(letter), ips: ['192.168.1.2'] });
  if (outcome === 'pending') return;
  if ('approvedUntil' in outcome) {
    const issued = certificate(`${letter.toLowerCase()}1`, 'rest', idOf(letter), outcome.approvedUntil);
    await store.completePending([{ kind: 'approved', requestId: idOf(letter), certificate: issued, at: issued.issuedAt }]);
  } else {
    await store.completePending([{ kind: 'denied', requestId: idOf(letter), reason: 'not in policy', at: outcome.deniedAt }]);
  }
}

async function acmeIssuance(serial: string, notAfter: Date): Promise<void> {
  const issued = certificate(serial, 'acme', `order-${serial}`, notAfter);
  await store.recordIssued(issued, { at: issued.issuedAt, event: 'issued', door: 'acme', requester: 'account-1', serialNumber: serial, requestId: issued.requestId!, ips: ['192.168.1.2'] });
}

function remaining(): string[] {
  return kube.fake.objects
    .list('smsgate-ca.sms-gate.app/v1alpha1', 'CertificateRequest', NAMESPACE)
    .map((object) => (object['metadata'] as { name: string }).name)
    .sort();
}

describe('record retention (Kubernetes store)', () => {
  it('deletes REST and ACME records past their retention, and nothing else', async () => {
    await restRequest('A', { approvedUntil: ago(40) });
    await restRequest('B', { approvedUntil: ago(10) });
    await restRequest('C', { approvedUntil: ago(-60) });
    await restRequest('D', { deniedAt: ago(31) });
    await restRequest('E', { deniedAt: ago(1) });
    await restRequest('F', 'pending');
    await acmeIssuance('0a', ago(31));
    await acmeIssuance('0b', ago(29));
    // The controller's own request (created by a user, no door label) whose certificate expired long ago.
    kube.fake.objects.create({
      apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
      kind: 'CertificateRequest',
      metadata: { name: 'user-owned', namespace: NAMESPACE },
      spec: { ipAddresses: ['10.1.1.1'], secretName: 'user-owned-tls' },
      status: { notAfter: ago(400).toISOString() },
    });
    const before = remaining();
    expect(before).toHaveLength(9);

    expect(await store.collectRecords(NOW, RETENTION)).toBe(3);
    const after = remaining();
    const gone = before.filter((name) => !after.includes(name));
    expect(gone).toHaveLength(3);
    expect(after).toContain('user-owned');
    // What went: the REST request expired 40 days ago, the one denied 31 days ago, the ACME record expired 31 days ago.
    const kept = after.map((name) => kube.fake.objects.get({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', namespace: NAMESPACE, name })!);
    const serials = kept.map((object) => (object['status'] as JsonObject | undefined)?.['serialNumber']).filter(Boolean);
    expect(serials).toContain('0b');
    expect(serials).not.toContain('0a');

    // A longer retention later keeps what is left; a round at the same moment deletes nothing more.
    expect(await store.collectRecords(NOW, RETENTION)).toBe(0);
    expect(await store.collectRecords(new Date(NOW.getTime() + 365 * DAY), RETENTION)).toBe(4);
    expect(remaining()).toEqual(expect.arrayContaining(['user-owned']));
    expect(remaining()).toHaveLength(2);
  });
});
