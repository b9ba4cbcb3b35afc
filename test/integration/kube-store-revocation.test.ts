import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateRequest } from '../../src/custom-resources/crd-types.js';
import { connectKube, type KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeHttpClient } from '../../src/kube/kube-http-client.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { CERTIFICATE_REQUESTS } from '../../src/custom-resources/resource-types.js';
import { KubernetesStore } from '../../src/store/kubernetes/kubernetes-store.js';
import { SecretCrlNumberSequence } from '../../src/store/kubernetes/secret-crl-number-sequence.js';
import type { RevocationAuditEntry } from '../../src/store/records.js';
import { crdFiles, installCrds } from '../support/controller-harness.js';
import { startFakeApiServer, type FakeApiServer, type JsonObject } from '../support/fake-apiserver/index.js';

/**
 * The Kubernetes store's revocation ledger, CRL list and CRL numbers against the API-server double:
 * revocations land on the ACME records (status + label), the CRL number on the CA Secret. Two store
 * instances on two connections stand for two replicas.
 */
let fake: FakeApiServer;
const connections: KubeConnection[] = [];
let store: KubernetesStore;
let replica: KubernetesStore;
let records: ResourceClient<CertificateRequest>;

async function client(): Promise<KubeHttpClient> {
  const connection = await connectKube({ kubeconfigPath: fake.kubeconfigPath });
  connections.push(connection);
  return new KubeHttpClient(connection);
}

beforeAll(async () => {
  fake = await startFakeApiServer();
  await installCrds(fake, await crdFiles());
  const api = await client();
  store = new KubernetesStore({ api, namespace: 'default', podName: 'smsgate-ca-0' });
  replica = new KubernetesStore({ api: await client(), namespace: 'default', podName: 'smsgate-ca-1' });
  records = new ResourceClient<CertificateRequest>(api, CERTIFICATE_REQUESTS);
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await fake?.close();
});

const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
const ISSUED_AT = new Date('2026-05-01T08:00:00Z');

/** An ACME issuance as the issuance service records it; the serial is 32 hex digits, type byte 02. */
async function issueAcme(serialNumber: string, notAfter = '2027-05-01T08:00:00Z'): Promise<void> {
  await store.recordIssued(
    {
      serialNumber,
      door: 'acme',
      type: 'private_server',
      ips: ['10.3.3.3'],
      notBefore: ISSUED_AT,
      notAfter: new Date(notAfter),
      requester: 'account-1',
      issuedAt: ISSUED_AT,
      certificatePem: `-----BEGIN CERTIFICATE-----\nMII${serialNumber.slice(-4)}\n-----END CERTIFICATE-----\n`,
      requestId: `order-${serialNumber.slice(-4)}`,
      csrPem: CSR,
    },
    { at: ISSUED_AT, event: 'issued', door: 'acme', requester: 'account-1', serialNumber },
  );
}

function audit(serialNumber: string, at: Date): RevocationAuditEntry {
  return { at, event: 'revoked', door: 'acme', requester: '127.0.0.1 acme-account:1', serialNumber, ips: ['10.3.3.3'], detail: 'reason keyCompromise (1)' };
}

function revoke(on: KubernetesStore, serialNumber: string, at: string, reason: number): Promise<boolean> {
  const revokedAt = new Date(at);
  return on.recordRevocation({ serialNumber, revokedAt, reason }, audit(serialNumber, revokedAt));
}

function recordObject(serialNumber: string): JsonObject {
  const name = `acme-${serialNumber}`;
  const object = fake.objects.get({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', namespace: 'default', name });
  if (!object) throw new Error(`no record ${name}`);
  return object;
}

function revokedEvents(): JsonObject[] {
  return fake.objects
    .list('v1', 'Event', 'default')
    .filter((event) => ((event['metadata'] as JsonObject)['labels'] as Record<string, string> | undefined)?.['ca.sms-gate.app/audit-event'] === 'revoked');
}

const SERIAL_A = '02aa000000000000000000000000000a';
const SERIAL_B = '02bb000000000000000000000000000b';
const SERIAL_C = '02cc000000000000000000000000000c';
const SERIAL_EXPIRED = '02dd000000000000000000000000000d';

describe('KubernetesStore revocation ledger', () => {
  it('records a revocation on the ACME record: status, label, audit Event about the record', async () => {
    await issueAcme(SERIAL_A);
    expect(await revoke(store, SERIAL_A, '2026-06-01T10:00:00.000Z', 1)).toBe(true);
    const record = recordObject(SERIAL_A);
    expect(record['status']).toMatchObject({ revokedAt: '2026-06-01T10:00:00Z', revocationReason: 1, serialNumber: SERIAL_A });
    expect((record['metadata'] as JsonObject)['labels']).toMatchObject({ 'ca.sms-gate.app/revoked': 'true', 'ca.sms-gate.app/source': 'acme' });
    expect(await store.findCertificate(SERIAL_A)).toMatchObject({ serialNumber: SERIAL_A, revokedAt: new Date('2026-06-01T10:00:00Z'), revocationReason: 1 });
    const events = revokedEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ reason: 'CertificateRevoked', involvedObject: { kind: 'CertificateRequest', name: `acme-${SERIAL_A}` } });
    const entries = (await store.list()).filter((entry) => entry.event === 'revoked');
    expect(entries).toMatchObject([{ serialNumber: SERIAL_A, door: 'acme', detail: 'reason keyCompromise (1)' }]);
  });

  it('refuses a second revocation of the same certificate, and one of an unknown serial, writing nothing', async () => {
    const before = recordObject(SERIAL_A);
    expect(await revoke(store, SERIAL_A, '2026-06-02T10:00:00Z', 4)).toBe(false);
    expect(await revoke(replica, SERIAL_A, '2026-06-02T10:00:00Z', 4)).toBe(false);
    expect(await revoke(store, '02ffffffffffffffffffffffffffffff', '2026-06-02T10:00:00Z', 1)).toBe(false);
    expect(await revoke(store, 'not,a=serial', '2026-06-02T10:00:00Z', 1)).toBe(false);
    const after = recordObject(SERIAL_A);
    expect(after['status']).toEqual(before['status']);
    expect((after['metadata'] as JsonObject)['resourceVersion']).toBe((before['metadata'] as JsonObject)['resourceVersion']);
    expect(revokedEvents()).toHaveLength(1);
  });

  it('lets exactly one of two replicas revoking the same certificate at once succeed', async () => {
    await issueAcme(SERIAL_B);
    const results = await Promise.all([revoke(store, SERIAL_B, '2026-06-01T10:00:00Z', 4), revoke(replica, SERIAL_B, '2026-06-01T10:00:00Z', 5)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const reason = (recordObject(SERIAL_B)['status'] as JsonObject)['revocationReason'];
    expect(reason).toBe(results[0] ? 4 : 5);
    expect(revokedEvents().filter((event) => String(event['message'] as string).includes(SERIAL_B))).toHaveLength(1);
  });

  it('lists revocations of unexpired certificates, oldest first then by serial, from any replica', async () => {
    await issueAcme(SERIAL_C);
    await issueAcme(SERIAL_EXPIRED, '2026-07-01T00:00:00Z');
    expect(await revoke(replica, SERIAL_C, '2026-05-20T00:00:00Z', 0)).toBe(true);
    expect(await revoke(store, SERIAL_EXPIRED, '2026-05-10T00:00:00Z', 1)).toBe(true);
    const expected = [
      { serialNumber: SERIAL_C, revokedAt: new Date('2026-05-20T00:00:00Z'), reason: 0 },
      { serialNumber: SERIAL_A, revokedAt: new Date('2026-06-01T10:00:00Z'), reason: 1 },
      { serialNumber: SERIAL_B, revokedAt: new Date('2026-06-01T10:00:00Z'), reason: expect.any(Number) as number },
    ];
    expect(await store.listRevoked(new Date('2026-07-01T00:00:01Z'))).toEqual(expected);
    expect(await replica.listRevoked(new Date('2026-07-01T00:00:01Z'))).toEqual(expected);
    const withExpired = await store.listRevoked(new Date('2026-07-01T00:00:00Z'));
    expect(withExpired.map((revocation) => revocation.serialNumber)).toEqual([SERIAL_EXPIRED, SERIAL_C, SERIAL_A, SERIAL_B]);
    // The label is the index: the list asks the API server for labelled records only.
    const lists = fake.requests.find((entry) => entry.method === 'GET' && entry.path.endsWith('/certificaterequests') && entry.query.includes('revoked'));
    expect(lists.length).toBeGreaterThan(0);
  });

  it('treats a label without status.revokedAt (a crash between the two writes) as not revoked, and completes it on retry', async () => {
    const serial = '02ee000000000000000000000000000e';
    await issueAcme(serial);
    await records.mergePatch('default', `acme-${serial}`, { metadata: { labels: { 'ca.sms-gate.app/revoked': 'true' } } });
    const listed = async () => (await store.listRevoked(new Date('2026-01-01T00:00:00Z'))).map((revocation) => revocation.serialNumber);
    expect(await listed()).not.toContain(serial);
    expect((await store.findCertificate(serial))?.revokedAt).toBeUndefined();
    expect(await revoke(store, serial, '2026-06-03T00:00:00Z', 3)).toBe(true);
    expect(await listed()).toContain(serial);
  });
});

describe('CRL numbers on the CA Secret', () => {
  it('strictly increase across two replicas taking numbers concurrently, with none handed out twice', async () => {
    fake.objects.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'smsgate-ca', namespace: 'default' }, data: { 'ca.crt': Buffer.from('root').toString('base64') } });
    const sequences = [
      new SecretCrlNumberSequence({ api: await client(), namespace: 'default', secretName: 'smsgate-ca' }),
      new SecretCrlNumberSequence({ api: await client(), namespace: 'default', secretName: 'smsgate-ca' }),
    ];
    fake.requests.clear();
    const perReplica = 5;
    const taken = await Promise.all(sequences.flatMap((sequence) => Array.from({ length: perReplica }, () => sequence.nextCrlNumber())));
    expect([...taken].sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * perReplica }, (_, index) => index + 1));
    // The callers really collided (conditional writes refused with 409) and were retried.
    const conflicts = fake.requests.find((entry) => entry.method === 'PATCH' && entry.path.endsWith('/secrets/smsgate-ca') && entry.status === 409);
    expect(conflicts.length).toBeGreaterThan(0);
    const secret = fake.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'smsgate-ca' })!;
    expect(((secret['metadata'] as JsonObject)['annotations'] as Record<string, string>)['ca.sms-gate.app/crl-number']).toBe(String(2 * perReplica));
    // One caller after another: each number above the last.
    const first = await sequences[0]!.nextCrlNumber();
    const second = await sequences[1]!.nextCrlNumber();
    const third = await sequences[0]!.nextCrlNumber();
    expect([first, second, third]).toEqual([2 * perReplica + 1, 2 * perReplica + 2, 2 * perReplica + 3]);
  });

  it('never starts over: an unreadable number or a missing Secret is an error', async () => {
    fake.objects.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tampered-ca', namespace: 'default', annotations: { 'ca.sms-gate.app/crl-number': 'twelve' } }, data: {} });
    const tampered = new SecretCrlNumberSequence({ api: await client(), namespace: 'default', secretName: 'tampered-ca' });
    await expect(tampered.nextCrlNumber()).rejects.toThrow(/not a CRL number/);
    const missing = new SecretCrlNumberSequence({ api: await client(), namespace: 'default', secretName: 'no-such-ca' });
    await expect(missing.nextCrlNumber()).rejects.toThrow(/does not exist/);
  });
});
