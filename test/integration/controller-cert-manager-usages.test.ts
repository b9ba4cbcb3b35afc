import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertManagerCertificateRequest } from '../../src/custom-resources/cert-manager-types.js';
import { CERT_MANAGER_CERTIFICATE_REQUESTS } from '../../src/custom-resources/resource-types.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { basicConstraintsExtension, buildCsr, cnName, freshKey, keyUsageExtension, seq, serverAuthExtension } from '../support/csr-factory.js';
import { eventually, startHarness, type ControllerHarness } from '../support/controller-harness.js';
import { certificatePurposes, certificateText, pemBlocks, verifyChain } from '../support/openssl.js';
import { startWithReadyIssuer } from '../support/ready-issuer.js';

/**
 * cert-manager's `usages`, with cert-manager's real CRDs in the double: server auth and client auth
 * become the leaf's extKeyUsage (read back by openssl), every other usage is refused by name with
 * InvalidRequest and Ready=False/Failed; a duration beyond the profile's year is capped, said in the
 * Issued message and in an Event. Our own CertificateRequest's spec.usages follow the same rule.
 */
let h: ControllerHarness;
let dir: string;
const ISSUER_REF = { name: 'ip-issuer', kind: 'IPIssuer', group: 'smsgate-ca.sms-gate.app' };

beforeAll(async () => {
  h = await startHarness({ certManager: true });
  dir = await mkdtemp(join(tmpdir(), 'smsgate-ca-usages-'));
  const operator = h.operator();
  await startWithReadyIssuer(h, operator);
});

afterAll(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const cmClient = (): ResourceClient<CertManagerCertificateRequest> => new ResourceClient<CertManagerCertificateRequest>(h.api, CERT_MANAGER_CERTIFICATE_REQUESTS);

/** Created and approved, as cert-manager and its approver would. */
async function approvedRequest(name: string, ip: string, spec: { usages?: string[]; duration?: string }, commonName?: string): Promise<void> {
  const subject = commonName === undefined ? seq() : cnName(commonName);
  const csr = buildCsr({ key: freshKey('p256'), subject, ips: [ip], extensions: [keyUsageExtension(), serverAuthExtension(), basicConstraintsExtension(false)] }).pem;
  await cmClient().create({ metadata: { name, namespace: 'default' }, spec: { request: Buffer.from(csr).toString('base64'), issuerRef: ISSUER_REF, ...spec } });
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const patch = { status: { conditions: [{ type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'approved by test', lastTransitionTime: now }] } };
  await h.kubectlOk('patch', 'certificaterequests.cert-manager.io', name, '--subresource=status', '--type=merge', '-p', JSON.stringify(patch));
}

function condition(cr: CertManagerCertificateRequest, type: string) {
  return cr.status?.conditions?.find((item) => item.type === type);
}

async function settled(name: string): Promise<CertManagerCertificateRequest> {
  return eventually(async () => {
    const cr = await cmClient().get('default', name);
    const ready = cr && condition(cr, 'Ready');
    return ready && (ready.reason === 'Issued' || ready.reason === 'Failed') ? cr : undefined;
  }, `${name} Issued or Failed`);
}

async function eventsOf(name: string): Promise<{ type: string; reason: string; message: string }[]> {
  const list = JSON.parse(await h.kubectlOk('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json')) as { items: { type: string; reason: string; message: string }[] };
  return list.items.map(({ type, reason, message }) => ({ type, reason, message }));
}

const SERVER = 'TLS Web Server Authentication';
const CLIENT = 'TLS Web Client Authentication';

/** The extKeyUsage line of `openssl x509 -text`. */
function extendedKeyUsageLine(text: string): string {
  const lines = text.split('\n');
  const header = lines.findIndex((line) => line.includes('X509v3 Extended Key Usage'));
  return header >= 0 ? lines[header + 1]!.trim() : '';
}

describe('cert-manager usages → the certificate', () => {
  it.each([
    { name: 'server', ip: '10.7.0.1', usages: ['digital signature', 'key encipherment', 'server auth'], eku: SERVER, server: 'Yes', client: 'No' },
    { name: 'client', ip: '10.7.0.2', usages: ['digital signature', 'key encipherment', 'client auth'], eku: CLIENT, server: 'No', client: 'Yes' },
    { name: 'both', ip: '10.7.0.3', usages: ['digital signature', 'key encipherment', 'client auth', 'server auth'], eku: `${SERVER}, ${CLIENT}`, server: 'Yes', client: 'Yes' },
    { name: 'defaults', ip: '10.7.0.4', usages: ['digital signature', 'key encipherment'], eku: SERVER, server: 'Yes', client: 'No' },
  ])('$name ($usages) → extKeyUsage "$eku"; openssl: SSL server $server, SSL client $client', async ({ name, ip, usages, eku, server, client }) => {
    await approvedRequest(`usage-${name}`, ip, { usages });
    const cr = await settled(`usage-${name}`);
    expect(condition(cr, 'Ready')).toMatchObject({ status: 'True', reason: 'Issued' });
    const chain = Buffer.from(cr.status!.certificate!, 'base64').toString('utf8');
    const root = Buffer.from(cr.status!.ca!, 'base64').toString('utf8');
    const leaf = pemBlocks(chain)[0]!;
    expect(extendedKeyUsageLine(await certificateText(dir, leaf))).toBe(eku);
    const purposes = await certificatePurposes(dir, leaf);
    expect(purposes['SSL server']).toBe(server);
    expect(purposes['SSL client']).toBe(client);
    // The whole chain verifies for each purpose the leaf carries, and only for those.
    const asServer = await verifyChain(dir, chain, root, { purpose: 'sslserver', ip });
    const asClient = await verifyChain(dir, chain, root, { purpose: 'sslclient' });
    expect(asServer.code === 0 ? 'Yes' : 'No', asServer.stdout + asServer.stderr).toBe(server);
    expect(asClient.code === 0 ? 'Yes' : 'No', asClient.stdout + asClient.stderr).toBe(client);
    if (client === 'No') expect(asClient.stdout + asClient.stderr).toContain('unsuitable certificate purpose');
  });

  it.each([
    { name: 'certsign', usage: 'cert sign' },
    { name: 'codesigning', usage: 'code signing' },
  ])('$usage is refused: Ready=False/Failed and InvalidRequest naming it, no certificate, nothing signed', async ({ name, usage }) => {
    await approvedRequest(`usage-${name}`, '10.7.0.9', { usages: ['digital signature', 'server auth', usage] });
    const cr = await settled(`usage-${name}`);
    expect(condition(cr, 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(condition(cr, 'Ready')?.message).toContain(`"${usage}"`);
    expect(condition(cr, 'InvalidRequest')).toMatchObject({ status: 'True', reason: 'UnsupportedUsage' });
    expect(condition(cr, 'InvalidRequest')?.message).toContain(`"${usage}"`);
    expect(cr.status?.failureTime).toBeDefined();
    expect(cr.status?.certificate).toBeUndefined();
    expect(h.issuer.count(`cert-manager.io/default/usage-${name}`)).toBe(0);
    expect((await eventsOf(`usage-${name}`)).some((event) => event.type === 'Warning' && event.message.includes(`"${usage}"`))).toBe(true);
  });
});

describe('a capped duration', () => {
  it('two years asked: issued for the profile year, said in the Ready message and a Warning Event DurationCapped', async () => {
    await approvedRequest('long-lived', '10.7.1.1', { usages: ['digital signature', 'server auth'], duration: '17520h' });
    const cr = await settled('long-lived');
    expect(condition(cr, 'Ready')).toMatchObject({ status: 'True', reason: 'Issued' });
    expect(condition(cr, 'Ready')?.message).toContain('17520h');
    const leaf = new X509Certificate(pemBlocks(Buffer.from(cr.status!.certificate!, 'base64').toString('utf8'))[0]!);
    const lifetimeDays = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000;
    expect(lifetimeDays).toBeLessThanOrEqual(365);
    expect(lifetimeDays).toBeGreaterThan(364);
    const events = await eventually(async () => {
      const all = await eventsOf('long-lived');
      return all.some((event) => event.reason === 'Issued') ? all : undefined;
    }, 'the Issued Event');
    const capped = events.filter((event) => event.reason === 'DurationCapped');
    expect(capped).toHaveLength(1);
    expect(capped[0]!.type).toBe('Warning');
    expect(capped[0]!.message).toContain('spec.duration 17520h');
    expect(capped[0]!.message).toContain(new Date(leaf.validTo).toISOString());
  });

  it('90 days asked (cert-manager’s default): no DurationCapped Event', async () => {
    await approvedRequest('ninety-days', '10.7.1.2', { usages: ['digital signature', 'server auth'], duration: '2160h0m0s' });
    const cr = await settled('ninety-days');
    expect(condition(cr, 'Ready')?.message).toBe('Certificate fetched from issuer successfully');
    const events = await eventually(async () => {
      const all = await eventsOf('ninety-days');
      return all.some((event) => event.reason === 'Issued') ? all : undefined;
    }, 'the Issued Event');
    expect(events.map((event) => event.reason)).not.toContain('DurationCapped');
  });
});

describe("a Certificate's commonName (in the CSR's subject, as cert-manager writes it)", () => {
  it('equal to the IP: issued, with an empty subject all the same', async () => {
    await approvedRequest('cn-ip', '10.7.3.1', { usages: ['server auth'] }, '10.7.3.1');
    const cr = await settled('cn-ip');
    expect(condition(cr, 'Ready')?.reason).toBe('Issued');
    const text = await certificateText(dir, pemBlocks(Buffer.from(cr.status!.certificate!, 'base64').toString('utf8'))[0]!);
    expect(text).toMatch(/\n\s*Subject: *\n/);
  });

  it('anything else: refused, naming it', async () => {
    await approvedRequest('cn-name', '10.7.3.2', { usages: ['server auth'] }, 'my-service.example');
    const cr = await settled('cn-name');
    expect(condition(cr, 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(condition(cr, 'InvalidRequest')?.status).toBe('True');
    expect(condition(cr, 'Ready')?.message).toContain('my-service.example');
    expect(h.issuer.count('cert-manager.io/default/cn-name')).toBe(0);
  });
});

describe('our CertificateRequest spec.usages', () => {
  it('client auth: the Secret holds a clientAuth certificate', async () => {
    await h.apply(JSON.stringify({
      apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
      kind: 'CertificateRequest',
      metadata: { name: 'mtls-client', namespace: 'default' },
      spec: { ipAddresses: ['10.7.2.1'], secretName: 'mtls-client-tls', usages: ['client auth'] },
    }));
    await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', 'certificaterequests.smsgate-ca.sms-gate.app/mtls-client');
    const secret = await h.getJson('secret', 'mtls-client-tls');
    const data = secret['data'] as Record<string, string>;
    const chain = Buffer.from(data['tls.crt']!, 'base64').toString('utf8');
    expect(extendedKeyUsageLine(await certificateText(dir, pemBlocks(chain)[0]!))).toBe(CLIENT);
    expect((await verifyChain(dir, chain, Buffer.from(data['ca.crt']!, 'base64').toString('utf8'), { purpose: 'sslclient' })).code).toBe(0);
  });

  it('cert sign is refused at admission by the CRD, naming the value', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
      kind: 'CertificateRequest',
      metadata: { name: 'signer', namespace: 'default' },
      spec: { ipAddresses: ['10.7.2.2'], secretName: 'signer-tls', usages: ['server auth', 'cert sign'] },
    });
    const refused = await h.apply(manifest).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(refused).toContain('spec.usages[1]');
    expect(refused).toContain('cert sign');
  });
});
