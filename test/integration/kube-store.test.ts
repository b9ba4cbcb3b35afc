import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesStore } from '../../src/store/kubernetes/kubernetes-store.js';
import type { NewCsrRequest } from '../../src/store/records.js';
import type { JsonObject } from '../support/fake-apiserver/index.js';
import { useKubeDouble } from '../support/kube-double.js';
import { isolatedToolEnv, kubeTools, runTool } from '../support/kube-tools.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The Kubernetes-backed store's own shape: REST requests and ACME issuances as CertificateRequests
 * that kubectl lists. What every store promises is test/support/store-contract.ts, run against this
 * store in kube-store-contract.test.ts.
 */
const kube = useKubeDouble();
let store: KubernetesStore;
let home: string;

beforeAll(async () => {
  store = new KubernetesStore({ api: kube.api(), namespace: 'default', podName: 'smsgate-ca-0' });
  home = await mkdtemp(join(tmpdir(), 'kube-store-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';

function request(id: string, sha: string, at: Date): NewCsrRequest {
  return {
    id,
    type: 'webhook',
    csrPem: CSR,
    csrSha256: sha,
    subjectSpki: Uint8Array.of(1, 2, 3),
    ips: ['192.168.1.2'],
    metadata: { device: 'phone-1' },
    requester: '10.0.0.9',
    createdAt: at,
  };
}

const ID_1 = 'REQ_AAAAAAAAAAAAAAAAAAAAAAAAAA';
const SHA_1 = 'a'.repeat(64);

describe('KubernetesStore', () => {
  it('records a REST request as a pending CertificateRequest and finds it again', async () => {
    const at = new Date('2026-05-01T10:00:00.123Z');
    const result = await store.createPending(request(ID_1, SHA_1, at), { at, event: 'submitted', door: 'rest', requester: '10.0.0.9', requestId: ID_1, ips: ['192.168.1.2'] });
    expect(result.created).toBe(true);
    const found = await store.findRequest(ID_1);
    expect(found).toMatchObject({ id: ID_1, status: 'pending', ips: ['192.168.1.2'], metadata: { device: 'phone-1' }, requester: '10.0.0.9', csrSha256: SHA_1 });
    expect(found?.createdAt.toISOString()).toBe(at.toISOString());
    expect([...found!.subjectSpki]).toEqual([1, 2, 3]);
    const cr = kube.fake.objects.get({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', namespace: 'default', name: 'req-aaaaaaaaaaaaaaaaaaaaaaaaaa' })!;
    expect((cr['metadata'] as JsonObject)['labels']).toMatchObject({ 'ca.sms-gate.app/source': 'rest' });
    expect((cr['spec'] as JsonObject)['request']).toBe(CSR);
  });

  it('records an ACME issuance as a complete CertificateRequest visible to kubectl', async () => {
    const at = new Date('2026-05-02T08:00:00Z');
    const serial = '01ffeeddccbbaa00998877665544332211'.slice(0, 32);
    await store.recordIssued(
      { serialNumber: serial, door: 'acme', type: 'webhook', ips: ['10.3.3.3'], notBefore: at, notAfter: new Date('2026-08-01T08:00:00Z'), requester: 'account-1', issuedAt: at, certificatePem: '-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n', requestId: 'order-9', csrPem: CSR },
      { at, event: 'issued', door: 'acme', requester: 'account-1', serialNumber: serial, requestId: 'order-9', ips: ['10.3.3.3'] },
    );
    expect(await store.findCertificate(serial)).toMatchObject({ door: 'acme', requestId: 'order-9', ips: ['10.3.3.3'] });
    const env = isolatedToolEnv(kube.fake.kubeconfigPath, home);
    const listed = await runTool(kubeTools().kubectl, ['get', 'certificaterequests.smsgate-ca.sms-gate.app', '-A', '-l', 'ca.sms-gate.app/source=acme'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`acme-${serial}\\s+True`));
  });
});
