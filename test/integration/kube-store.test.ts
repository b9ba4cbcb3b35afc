import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { connectKube } from '../../src/kube/kube-connection.js';
import { KubeHttpClient } from '../../src/kube/kube-http-client.js';
import { KubernetesStore } from '../../src/store/kubernetes/kubernetes-store.js';
import type { IssuedCertificateRecord, NewCsrRequest } from '../../src/store/records.js';
import { crdFiles, installCrds } from '../support/controller-harness.js';
import { startFakeApiServer, type FakeApiServer, type JsonObject } from '../support/fake-apiserver/index.js';
import { isolatedToolEnv, kubeTools, runTool } from '../support/kube-tools.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Kubernetes-backed store: REST requests and ACME issuances as CertificateRequests, audit as Events. */
let fake: FakeApiServer;
let connection: KubeConnection;
let store: KubernetesStore;
let home: string;

beforeAll(async () => {
  fake = await startFakeApiServer();
  await installCrds(fake, await crdFiles());
  connection = await connectKube({ kubeconfigPath: fake.kubeconfigPath });
  store = new KubernetesStore({ api: new KubeHttpClient(connection), namespace: 'default', podName: 'smsgate-ca-0' });
  home = await mkdtemp(join(tmpdir(), 'kube-store-'));
});

afterAll(async () => {
  connection?.close();
  await fake?.close();
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
const ID_2 = 'REQ_BBBBBBBBBBBBBBBBBBBBBBBBBB';
const SHA_1 = 'a'.repeat(64);
const SHA_2 = 'b'.repeat(64);

describe('KubernetesStore', () => {
  it('records a REST request as a pending CertificateRequest and finds it again', async () => {
    const at = new Date('2026-05-01T10:00:00.123Z');
    const result = await store.createPending(request(ID_1, SHA_1, at), { at, event: 'submitted', door: 'rest', requester: '10.0.0.9', requestId: ID_1, ips: ['192.168.1.2'] });
    expect(result.created).toBe(true);
    const found = await store.findRequest(ID_1);
    expect(found).toMatchObject({ id: ID_1, status: 'pending', ips: ['192.168.1.2'], metadata: { device: 'phone-1' }, requester: '10.0.0.9', csrSha256: SHA_1 });
    expect(found?.createdAt.toISOString()).toBe(at.toISOString());
    expect([...found!.subjectSpki]).toEqual([1, 2, 3]);
    const cr = fake.objects.get({ apiVersion: 'ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', namespace: 'default', name: 'req-aaaaaaaaaaaaaaaaaaaaaaaaaa' })!;
    expect((cr['metadata'] as JsonObject)['labels']).toMatchObject({ 'ca.sms-gate.app/source': 'rest' });
    expect((cr['spec'] as JsonObject)['request']).toBe(CSR);
  });

  it('returns the pending request for a resubmitted CSR instead of a second one', async () => {
    const at = new Date('2026-05-01T10:00:05Z');
    const again = await store.createPending(request(ID_2, SHA_1, at), { at, event: 'submitted', door: 'rest', requester: '10.0.0.9' });
    expect(again).toMatchObject({ created: false, record: { id: ID_1 } });
    const other = await store.createPending(request(ID_2, SHA_2, at), { at, event: 'submitted', door: 'rest', requester: '10.0.0.9', requestId: ID_2 });
    expect(other.created).toBe(true);
    expect((await store.listPending()).map((item) => item.id)).toEqual([ID_1, ID_2]);
  });

  it('completes requests: approved with the certificate, denied with the reason; both leave audit Events', async () => {
    const at = new Date('2026-05-01T10:01:00Z');
    const certificate: IssuedCertificateRecord = {
      serialNumber: '01aabbccddeeff00112233445566778899',
      door: 'rest',
      type: 'webhook',
      ips: ['192.168.1.2'],
      notBefore: new Date('2026-05-01T09:01:00Z'),
      notAfter: new Date('2027-05-01T09:01:00Z'),
      requester: '10.0.0.9',
      issuedAt: at,
      certificatePem: '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n',
      requestId: ID_1,
    };
    await store.completePending([
      { kind: 'approved', requestId: ID_1, certificate, at },
      { kind: 'denied', requestId: ID_2, reason: '8.8.8.8 is a public address', at },
    ]);
    expect(await store.findRequest(ID_1)).toMatchObject({ status: 'approved', certificatePem: certificate.certificatePem, serialNumber: certificate.serialNumber });
    expect(await store.findRequest(ID_2)).toMatchObject({ status: 'denied', denyReason: '8.8.8.8 is a public address' });
    expect(await store.listPending()).toEqual([]);
    expect(await store.findCertificate(certificate.serialNumber)).toMatchObject({ serialNumber: certificate.serialNumber, door: 'rest', requestId: ID_1, certificatePem: certificate.certificatePem });
    const audit = await store.list({ requestId: ID_1 });
    expect(audit.map((entry) => entry.event)).toEqual(['submitted', 'approved']);
    expect(audit[1]).toMatchObject({ serialNumber: certificate.serialNumber, door: 'rest' });
    // Completing again is a no-op (already decided).
    await store.completePending([{ kind: 'denied', requestId: ID_1, reason: 'late', at }]);
    expect((await store.findRequest(ID_1))?.status).toBe('approved');
  });

  it('records an ACME issuance as a complete CertificateRequest visible to kubectl', async () => {
    const at = new Date('2026-05-02T08:00:00Z');
    const serial = '01ffeeddccbbaa00998877665544332211'.slice(0, 32);
    await store.recordIssued(
      { serialNumber: serial, door: 'acme', type: 'webhook', ips: ['10.3.3.3'], notBefore: at, notAfter: new Date('2026-08-01T08:00:00Z'), requester: 'account-1', issuedAt: at, certificatePem: '-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n', requestId: 'order-9', csrPem: CSR },
      { at, event: 'issued', door: 'acme', requester: 'account-1', serialNumber: serial, requestId: 'order-9', ips: ['10.3.3.3'] },
    );
    expect(await store.findCertificate(serial)).toMatchObject({ door: 'acme', requestId: 'order-9', ips: ['10.3.3.3'] });
    const env = isolatedToolEnv(fake.kubeconfigPath, home);
    const listed = await runTool(kubeTools().kubectl, ['get', 'certificaterequests.ca.sms-gate.app', '-A', '-l', 'ca.sms-gate.app/source=acme'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`acme-${serial}\\s+True`));
  });

  it('keeps refusals in the audit log and answers a ping', async () => {
    const at = new Date('2026-05-03T00:00:00Z');
    await store.append({ at, event: 'refused', door: 'rest', requester: '10.0.0.10', detail: 'identifier_not_allowed: 8.8.4.4 is public' });
    const all = await store.list();
    expect(all.map((entry) => entry.event)).toContain('refused');
    expect(all.map((entry) => entry.sequence)).toEqual(all.map((_, index) => index + 1));
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
