import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operator } from '../../src/controller/operator.js';
import type { CertManagerCertificateRequest } from '../../src/custom-resources/cert-manager-types.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { CERT_MANAGER_CERTIFICATE_REQUESTS } from '../../src/custom-resources/resource-types.js';
import { basicConstraintsExtension, buildCsr, keyUsageExtension, seq, serverAuthExtension, freshKey } from '../support/csr-factory.js';
import { eventually, startHarness, type ControllerHarness } from '../support/controller-harness.js';
import type { KubeRequest } from '../../src/kube/kube-api.js';
import { FaultyKubeApi } from '../support/faulty-kube-api.js';
import { verifyServerChain } from '../support/openssl.js';
import { startWithReadyIssuer } from '../support/ready-issuer.js';

/**
 * cert-manager's external-issuer contract: nothing before Approved, Denied is final, approved
 * requests get status.certificate / status.ca (base64 PEM) and Ready=True reason Issued, policy
 * refusals are Failed with InvalidRequest, requests for other issuers are never touched.
 */
let h: ControllerHarness;
let operator: Operator;
let api: FaultyKubeApi;
let conflicted = 0;

beforeAll(async () => {
  h = await startHarness({ certManager: true });
  api = new FaultyKubeApi(h.api);
  // The status write carrying the certificate for "contested" meets a concurrent writer: a genuine 409 from the double.
  api.hooks.push((request) => {
    if (request.method === 'PATCH' && request.path.endsWith('/certificaterequests/contested/status') && request.path.includes('cert-manager.io') && certificateOf(request) && conflicted === 0) {
      conflicted += 1;
      const ref = { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', namespace: 'default', name: 'contested' };
      const live = h.fake.objects.get(ref)!;
      h.fake.objects.put({ ...live, metadata: { ...(live['metadata'] as object), labels: { bumped: 'true' } } });
    }
  });
  operator = h.operator({ api });
  await startWithReadyIssuer(h, operator);
});

afterAll(async () => {
  await h?.close();
});

function certificateOf(request: KubeRequest): string | undefined {
  return (request.body as { status?: { certificate?: string } } | undefined)?.status?.certificate;
}

function cmClient(): ResourceClient<CertManagerCertificateRequest> {
  return new ResourceClient<CertManagerCertificateRequest>(h.api, CERT_MANAGER_CERTIFICATE_REQUESTS);
}

/** A CSR as cert-manager builds it: empty subject, IP SANs, keyUsage, serverAuth, CA:FALSE. */
function certManagerCsr(ips: readonly string[]): string {
  return buildCsr({ key: freshKey('p256'), subject: seq(), ips, extensions: [keyUsageExtension(), serverAuthExtension(), basicConstraintsExtension(false)] }).pem;
}

async function createRequest(name: string, ips: readonly string[], issuerRef: Record<string, string> = { name: 'ip-issuer', kind: 'IPIssuer', group: 'smsgate-ca.sms-gate.app' }): Promise<void> {
  await cmClient().create({
    metadata: { name, namespace: 'default' },
    spec: { request: Buffer.from(certManagerCsr(ips)).toString('base64'), issuerRef, usages: ['digital signature', 'key encipherment', 'server auth'], duration: '2160h0m0s' },
  } as CertManagerCertificateRequest);
}

async function setCondition(name: string, type: 'Approved' | 'Denied', reason: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const patch = { status: { conditions: [{ type, status: 'True', reason, message: `${type} by test`, lastTransitionTime: now }] } };
  await h.kubectlOk('patch', 'certificaterequests.cert-manager.io', name, '--subresource=status', '--type=merge', '-p', JSON.stringify(patch));
}

function condition(cr: CertManagerCertificateRequest | undefined, type: string) {
  return cr?.status?.conditions?.find((item) => item.type === type);
}

async function withReady(name: string): Promise<CertManagerCertificateRequest> {
  return eventually(async () => {
    const cr = await cmClient().get('default', name);
    const ready = condition(cr, 'Ready');
    return ready && ready.reason !== 'Pending' && ready.reason !== 'Initializing' ? cr : undefined;
  }, `${name} with a final Ready condition`);
}

describe('cert-manager external issuer', () => {
  it('leaves an unapproved request untouched', async () => {
    await createRequest('unapproved', ['10.1.1.1']);
    const created = await cmClient().get('default', 'unapproved');
    operator.resync();
    await operator.idle();
    const later = await cmClient().get('default', 'unapproved');
    expect(later?.status).toBeUndefined();
    expect(later?.metadata.resourceVersion).toBe(created?.metadata.resourceVersion);
    expect(h.issuer.total).toBe(0);
  });

  it('answers a denied request with Ready=False reason Denied and a failureTime', async () => {
    await createRequest('denied', ['10.1.1.2']);
    await setCondition('denied', 'Denied', 'PolicyDenied');
    const cr = await withReady('denied');
    expect(condition(cr, 'Ready')).toMatchObject({ status: 'False', reason: 'Denied' });
    expect(cr.status?.failureTime).toEqual(expect.any(String));
    expect(cr.status?.certificate).toBeUndefined();
    expect(h.issuer.count('cert-manager.io/default/denied')).toBe(0);
  });

  it('issues an approved request: base64 chain in status.certificate, root in status.ca, Ready=True Issued', async () => {
    await createRequest('approved', ['10.1.1.3', '192.168.3.3']);
    await setCondition('approved', 'Approved', 'cert-manager.io');
    await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', 'certificaterequests.cert-manager.io/approved');
    const cr = (await cmClient().get('default', 'approved'))!;
    expect(condition(cr, 'Ready')).toMatchObject({ status: 'True', reason: 'Issued' });
    expect(condition(cr, 'Approved')?.status).toBe('True');
    const chain = Buffer.from(cr.status!.certificate!, 'base64').toString('utf8');
    const root = Buffer.from(cr.status!.ca!, 'base64').toString('utf8');
    expect(root).toBe(h.material.rootPem);
    for (const ip of ['10.1.1.3', '192.168.3.3']) {
      const verified = await verifyServerChain(h.home, chain, root, ip);
      expect(verified.code, verified.stderr).toBe(0);
    }
    const leaf = new X509Certificate(chain);
    const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThan(91);
    expect(h.issuer.count('cert-manager.io/default/approved')).toBe(1);
  });

  it('refuses a public IP with Ready=False reason Failed and InvalidRequest, and it stays final', async () => {
    await createRequest('public', ['1.1.1.1']);
    await setCondition('public', 'Approved', 'cert-manager.io');
    const cr = await withReady('public');
    expect(condition(cr, 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(condition(cr, 'Ready')?.message).toContain('1.1.1.1');
    expect(condition(cr, 'InvalidRequest')).toMatchObject({ status: 'True', reason: 'PolicyViolation' });
    expect(cr.status?.failureTime).toEqual(expect.any(String));
    operator.resync();
    await operator.idle();
    expect((await cmClient().get('default', 'public'))?.metadata.resourceVersion).toBe(cr.metadata.resourceVersion);
  });

  it('ignores requests for other issuer groups', async () => {
    await createRequest('foreign', ['10.1.1.4'], { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    await setCondition('foreign', 'Approved', 'cert-manager.io');
    const approved = await cmClient().get('default', 'foreign');
    operator.resync();
    await operator.idle();
    const later = await cmClient().get('default', 'foreign');
    expect(condition(later, 'Ready')).toBeUndefined();
    expect(later?.metadata.resourceVersion).toBe(approved?.metadata.resourceVersion);
    expect(h.issuer.count('cert-manager.io/default/foreign')).toBe(0);
  });

  it('retries a status write that hit 409 with the same certificate: signed once', async () => {
    const conflictsBefore = operator.counters.conflicts;
    await createRequest('contested', ['10.1.1.5']);
    await setCondition('contested', 'Approved', 'cert-manager.io');
    const cr = await withReady('contested');
    expect(conflicted).toBe(1);
    // The first status write really met a 409, and the retry carried the very same certificate.
    expect(operator.counters.conflicts).toBeGreaterThan(conflictsBefore);
    const writes = api.sent.filter((request) => request.method === 'PATCH' && request.path.includes('cert-manager.io') && request.path.endsWith('/contested/status'));
    // Ready=Unknown/Initializing came first, without a certificate; every later write carried the same one.
    expect(writes.map((request) => (request.body as { status?: { conditions?: { type: string; reason?: string }[] } }).status?.conditions?.find((c) => c.type === 'Ready')?.reason)[0]).toBe('Initializing');
    const written = writes.map(certificateOf).filter((certificate) => certificate !== undefined);
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(new Set(written)).toEqual(new Set([cr.status?.certificate]));
    expect(condition(cr, 'Ready')?.reason).toBe('Issued');
    expect(h.issuer.count('cert-manager.io/default/contested')).toBe(1);
    const serial = new X509Certificate(Buffer.from(cr.status!.certificate!, 'base64').toString('utf8')).serialNumber.toLowerCase();
    expect(h.issuer.signed.get('cert-manager.io/default/contested')![0]!.serialNumber).toBe(serial);
  });

  it('signs through an IPClusterIssuer too', async () => {
    await h.apply(JSON.stringify({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPClusterIssuer', metadata: { name: 'cluster-ip' }, spec: { allowedCIDRs: ['10.1.0.0/16'] } }));
    await createRequest('clustered', ['10.1.9.9'], { name: 'cluster-ip', kind: 'IPClusterIssuer', group: 'smsgate-ca.sms-gate.app' });
    await setCondition('clustered', 'Approved', 'cert-manager.io');
    const cr = await withReady('clustered');
    expect(condition(cr, 'Ready')?.reason).toBe('Issued');
  });
});
