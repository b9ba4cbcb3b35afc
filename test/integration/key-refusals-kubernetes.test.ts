import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, loadCaMaterial, systemClock } from '../../src/ca/index.js';
import type { Operator } from '../../src/controller/operator.js';
import type { CertManagerCertificateRequest } from '../../src/custom-resources/cert-manager-types.js';
import type { CertificateRequest } from '../../src/custom-resources/crd-types.js';
import { CERT_MANAGER_CERTIFICATE_REQUESTS, CERTIFICATE_REQUESTS } from '../../src/custom-resources/resource-types.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { certificateRequest, withCsr } from '../support/builders.js';
import { eventually, startHarness, TEST_RANGES, type ControllerHarness } from '../support/controller-harness.js';
import { buildCsr, freshKey, type TestKey } from '../support/csr-factory.js';
import { caKeys, weakRsaKeys, type RefusedKey } from '../support/refused-keys.js';
import { startWithReadyIssuer } from '../support/ready-issuer.js';

/**
 * Weak and borrowed keys at the two Kubernetes doors, against one operator over the API-server
 * double: the operator's own CertificateRequest in CSR mode (spec.request) and an approved
 * cert-manager CertificateRequest for an IPIssuer. Every request is created up front; each refusal
 * must show as the object's conditions (reason and message), and a fresh key is signed at each door.
 */
const IP = '10.77.0.9';
const ca = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: TEST_RANGES, clock: systemClock });
let h: ControllerHarness;
let operator: Operator;
let refused: RefusedKey[];

type Condition = { type: string; status: string; reason?: string; message?: string };
const conditionOf = (conditions: readonly Condition[] | undefined, type: string) => conditions?.find((condition) => condition.type === type);
const csrOf = (key: TestKey) => buildCsr({ key, ips: [IP] }).pem;
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 50);

beforeAll(async () => {
  const material = loadCaMaterial({ certificatePem: ca.intermediate.certificatePem, privateKeyPem: ca.intermediate.privateKeyPem, chainPem: ca.root.certificatePem, allowedRanges: TEST_RANGES, clock: systemClock });
  h = await startHarness({ certManager: true, material });
  operator = h.operator();
  await startWithReadyIssuer(h, operator);
  refused = [...weakRsaKeys(), ...caKeys({ root: ca.root.privateKeyPem, intermediate: ca.intermediate.privateKeyPem })];
  const requests = [...refused.map((row) => ({ name: slug(row.name), key: row.key })), { name: 'fresh-key', key: freshKey('p256') }];
  const own = new ResourceClient<CertificateRequest>(h.api, CERTIFICATE_REQUESTS);
  const certManager = new ResourceClient<CertManagerCertificateRequest>(h.api, CERT_MANAGER_CERTIFICATE_REQUESTS);
  const issuerRef = { name: 'ip-issuer', kind: 'IPIssuer', group: 'smsgate-ca.sms-gate.app' };
  const csrs = [...requests.map(({ name, key }) => ({ name, pem: csrOf(key) })), ...BAD_REQUESTS.map(({ name, pem }) => ({ name, pem }))];
  for (const { name, pem } of csrs) {
    await own.create(certificateRequest(name, withCsr(pem)));
    await certManager.create({ metadata: { name, namespace: 'default' }, spec: { request: Buffer.from(pem).toString('base64'), issuerRef, usages: ['digital signature', 'server auth'] } });
    const approved = { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'approved by the test', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    await certManager.mergePatch('default', name, { status: { conditions: [approved] } }, 'status');
  }
}, 180_000);

afterAll(async () => {
  await h?.close();
});

/** Requests the API server admits (the CRD asks only for the PEM armour at the start) that the CA cannot read. */
const ARMOUR = '-----BEGIN CERTIFICATE REQUEST-----';
const BAD_REQUESTS: ReadonlyArray<{ readonly name: string; readonly pem: string; readonly says: RegExp }> = [
  { name: 'bad-base64', pem: `${ARMOUR}\n!!!not base64!!!\n-----END CERTIFICATE REQUEST-----\n`, says: /PEM block holds "!", which is not base64/ },
  { name: 'truncated-der', pem: `${ARMOUR}\nMIIBAjCBqAIBADAX\n-----END CERTIFICATE REQUEST-----\n`, says: /^CSR: length 258 runs past the end/ },
  { name: 'no-end-line', pem: `${ARMOUR}\nMIIBAjCBqAIBADAX\n`, says: /has no matching END line/ },
  { name: 'oversize', pem: `${ARMOUR}\n${'A'.repeat(20_000)}\n-----END CERTIFICATE REQUEST-----\n`, says: /at most 16384 are accepted/ },
];

const NAMES = ['RSA-2048 whose modulus 7 divides', 'RSA-2048 with Fermat-close primes (|p − q| ≈ 2^20)', 'RSA-2048 with the ROCA fingerprint', 'the root CA key', 'the intermediate CA key'];
const row = (name: string): RefusedKey => refused.find((candidate) => candidate.name === name)!;

async function settledOwn(name: string): Promise<CertificateRequest> {
  const client = new ResourceClient<CertificateRequest>(h.api, CERTIFICATE_REQUESTS);
  return eventually(async () => {
    const cr = await client.get('default', name);
    const ready = conditionOf(cr?.status?.conditions, 'Ready');
    return ready && ready.reason !== 'Pending' && ready.reason !== 'Issuing' ? cr : undefined;
  }, `CertificateRequest ${name} settled`);
}

async function settledCertManager(name: string): Promise<CertManagerCertificateRequest> {
  const client = new ResourceClient<CertManagerCertificateRequest>(h.api, CERT_MANAGER_CERTIFICATE_REQUESTS);
  return eventually(async () => {
    const cr = await client.get('default', name);
    const ready = conditionOf(cr?.status?.conditions, 'Ready');
    return ready && ready.reason !== 'Pending' ? cr : undefined;
  }, `cert-manager CertificateRequest ${name} settled`);
}

describe('the operator CertificateRequest, CSR mode (spec.request)', () => {
  it.each(NAMES)('refuses %s: Ready=False PolicyViolation with the reason in the message', async (name) => {
    const cr = await settledOwn(slug(name));
    const ready = conditionOf(cr.status?.conditions, 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'PolicyViolation' });
    expect(ready?.message).toMatch(row(name).says);
    expect(cr.status?.certificate).toBeUndefined();
    expect(h.issuer.count(`default/${slug(name)}`)).toBe(0);
  });

  it('signs a fresh key (control)', async () => {
    const cr = await settledOwn('fresh-key');
    expect(conditionOf(cr.status?.conditions, 'Ready')?.status).toBe('True');
    expect(new X509Certificate(String(cr.status?.certificate)).subjectAltName).toBe(`IP Address:${IP}`);
  });
});

describe('cert-manager CertificateRequest (approved, for an IPIssuer)', () => {
  it.each(NAMES)('refuses %s: Ready=False Failed, InvalidRequest PolicyViolation, the reason in the messages', async (name) => {
    const cr = await settledCertManager(slug(name));
    const ready = conditionOf(cr.status?.conditions, 'Ready');
    const invalid = conditionOf(cr.status?.conditions, 'InvalidRequest');
    expect(ready).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(ready?.message).toMatch(row(name).says);
    expect(invalid).toMatchObject({ status: 'True', reason: 'PolicyViolation' });
    expect(invalid?.message).toMatch(row(name).says);
    expect(cr.status?.certificate).toBeUndefined();
  });

  it('signs a fresh key (control)', async () => {
    const cr = await settledCertManager('fresh-key');
    expect(conditionOf(cr.status?.conditions, 'Ready')).toMatchObject({ status: 'True', reason: 'Issued' });
    expect(Buffer.from(String(cr.status?.ca), 'base64').toString('utf8')).toBe(ca.root.certificatePem);
  });
});

describe('bad spec.request at both doors (admitted by the API server, unreadable for the CA)', () => {
  it.each(BAD_REQUESTS)('$name: operator Ready=False PolicyViolation, cert-manager Failed + InvalidRequest/InvalidRequest, each naming the fault', async ({ name, says }) => {
    const own = conditionOf((await settledOwn(name)).status?.conditions, 'Ready');
    expect(own).toMatchObject({ status: 'False', reason: 'PolicyViolation' });
    expect(own?.message).toMatch(says);
    const cm = await settledCertManager(name);
    expect(conditionOf(cm.status?.conditions, 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(conditionOf(cm.status?.conditions, 'InvalidRequest')).toMatchObject({ status: 'True', reason: 'InvalidRequest' });
    expect(conditionOf(cm.status?.conditions, 'InvalidRequest')?.message).toMatch(says);
  });

  it('the API server itself refuses an operator request that is not PEM or is over 64 KiB, naming the rule', async () => {
    const own = new ResourceClient<CertificateRequest>(h.api, CERTIFICATE_REQUESTS);
    await expect(own.create(certificateRequest('not-pem', withCsr('hello')))).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/BEGIN CERTIFICATE REQUEST/) as unknown });
    await expect(own.create(certificateRequest('too-long', withCsr(`${ARMOUR}\n${'A'.repeat(70_000)}`)))).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/65536/) as unknown });
  });
});
