import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operator } from '../../src/controller/operator.js';
import { certificateRequest, manifest, withCsr, withDuration, withIps, withIssuer, withSecretLabels, withSecretName } from '../support/builders.js';
import { eventually, startHarness, type ControllerHarness } from '../support/controller-harness.js';
import type { JsonObject } from '../support/fake-apiserver/index.js';
import { verifyServerChain } from '../support/openssl.js';

/**
 * The user's side of the operator, through the real kubectl 1.35 against the API-server double:
 * `kubectl apply -f crds/`, apply a CertificateRequest, `kubectl wait --for=condition=Ready`, and the
 * Secret's chain verifies with openssl.
 */
let h: ControllerHarness;
let operator: Operator;

beforeAll(async () => {
  h = await startHarness({ crdsViaKubectl: true });
  operator = h.operator();
  await operator.start();
  await operator.synced();
});

afterAll(async () => {
  await h?.close();
});

function data(secret: JsonObject, key: string): string {
  return Buffer.from(String((secret['data'] as Record<string, string>)[key]), 'base64').toString('utf8');
}

function annotation(obj: JsonObject, key: string): string | undefined {
  return ((obj['metadata'] as JsonObject)['annotations'] as Record<string, string> | undefined)?.[key];
}

function status(obj: JsonObject): Record<string, unknown> {
  return (obj['status'] ?? {}) as Record<string, unknown>;
}

function readyCondition(obj: JsonObject): { status?: string; reason?: string; message?: string } | undefined {
  return (status(obj)['conditions'] as Array<{ type: string; status: string; reason: string; message: string }> | undefined)?.find((condition) => condition.type === 'Ready');
}

async function waitReady(name: string): Promise<void> {
  await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', `certificaterequests.smsgate-ca.sms-gate.app/${name}`);
}

async function secretWith(name: string, predicate: (secret: JsonObject) => boolean): Promise<JsonObject> {
  return eventually(async () => {
    const result = await h.kubectl('get', 'secret', name, '-o', 'json');
    if (result.code !== 0) return undefined;
    const secret = JSON.parse(result.stdout) as JsonObject;
    return predicate(secret) ? secret : undefined;
  }, `Secret ${name}`);
}

describe('CertificateRequest → kubernetes.io/tls Secret (real kubectl)', () => {
  it('issues a certificate for 10.42.0.7 that openssl verifies against ca.crt', async () => {
    await h.apply(manifest(certificateRequest('web', withIps('10.42.0.7'), withSecretLabels({ app: 'web' }))));
    await waitReady('web');
    const secret = await h.getJson('secret', 'web-tls');
    expect(secret['type']).toBe('kubernetes.io/tls');
    const chain = data(secret, 'tls.crt');
    const root = data(secret, 'ca.crt');
    expect(root).toBe(h.material.rootPem);
    const verified = await verifyServerChain(h.home, chain, root, '10.42.0.7');
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('OK');
    const leaf = new X509Certificate(chain);
    expect(leaf.checkPrivateKey(createPrivateKey(data(secret, 'tls.key')))).toBe(true);
    expect(leaf.subjectAltName).toBe('IP Address:10.42.0.7');
    expect(((secret['metadata'] as JsonObject)['labels'] as Record<string, string>)['app']).toBe('web');
    const cr = await h.getJson('certificaterequests.smsgate-ca.sms-gate.app', 'web');
    expect(status(cr)['serialNumber']).toBe(leaf.serialNumber.toLowerCase());
    expect(annotation(secret, 'ca.sms-gate.app/serial-number')).toBe(leaf.serialNumber.toLowerCase());
    expect(status(cr)['revision']).toBe(1);
    expect(Date.parse(String(status(cr)['renewalTime']))).toBeLessThan(Date.parse(String(status(cr)['notAfter'])));
    expect(h.issuer.count('default/web')).toBe(1);
    const table = await h.kubectlOk('get', 'ipcr', 'web');
    expect(table).toMatch(/web\s+True\s+web-tls/);
    const events = await h.kubectlOk('get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'json');
    expect(events).toContain('Issued');
  });

  it('brings a deleted Secret back with a new certificate', async () => {
    const before = await h.getJson('secret', 'web-tls');
    await h.kubectlOk('delete', 'secret', 'web-tls');
    const after = await secretWith('web-tls', (secret) => annotation(secret, 'ca.sms-gate.app/serial-number') !== annotation(before, 'ca.sms-gate.app/serial-number'));
    expect(annotation(after, 'ca.sms-gate.app/revision')).toBe('2');
    const verified = await verifyServerChain(h.home, data(after, 'tls.crt'), data(after, 'ca.crt'), '10.42.0.7');
    expect(verified.code, verified.stderr).toBe(0);
    const cr = await eventually(async () => {
      const current = await h.getJson('certificaterequests.smsgate-ca.sms-gate.app', 'web');
      return status(current)['revision'] === 2 ? current : undefined;
    }, 'status revision 2');
    expect(status(cr)['serialNumber']).toBe(annotation(after, 'ca.sms-gate.app/serial-number'));
  });

  it('re-issues when the Secret is tampered with', async () => {
    const before = await h.getJson('secret', 'web-tls');
    const foreignKey = Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n').toString('base64');
    await h.kubectlOk('patch', 'secret', 'web-tls', '--type=merge', '-p', JSON.stringify({ data: { 'tls.key': foreignKey } }));
    const after = await secretWith('web-tls', (secret) => annotation(secret, 'ca.sms-gate.app/serial-number') !== annotation(before, 'ca.sms-gate.app/serial-number'));
    const leaf = new X509Certificate(data(after, 'tls.crt'));
    expect(leaf.checkPrivateKey(createPrivateKey(data(after, 'tls.key')))).toBe(true);
    expect(annotation(after, 'ca.sms-gate.app/revision')).toBe('3');
  });

  it('re-issues when the spec changes', async () => {
    await h.kubectlOk('patch', 'certificaterequests.smsgate-ca.sms-gate.app', 'web', '--type=merge', '-p', JSON.stringify({ spec: { ipAddresses: ['10.42.0.7', '192.168.7.1'] } }));
    const after = await secretWith('web-tls', (secret) => annotation(secret, 'ca.sms-gate.app/ip-addresses') === '10.42.0.7,192.168.7.1');
    expect(new X509Certificate(data(after, 'tls.crt')).subjectAltName).toBe('IP Address:10.42.0.7, IP Address:192.168.7.1');
    for (const ip of ['10.42.0.7', '192.168.7.1']) {
      const verified = await verifyServerChain(h.home, data(after, 'tls.crt'), data(after, 'ca.crt'), ip);
      expect(verified.code, verified.stderr).toBe(0);
    }
    await waitReady('web');
  });

  it('refuses a public IP with PolicyViolation naming it, and never writes a Secret', async () => {
    await h.apply(manifest(certificateRequest('public', withIps('8.8.8.8'))));
    await h.kubectlOk('wait', '--for=condition=Ready=False', '--timeout=30s', 'certificaterequests.smsgate-ca.sms-gate.app/public');
    const cr = await h.getJson('certificaterequests.smsgate-ca.sms-gate.app', 'public');
    expect(readyCondition(cr)).toMatchObject({ status: 'False', reason: 'PolicyViolation' });
    expect(readyCondition(cr)?.message).toContain('8.8.8.8');
    expect(status(cr)['lastFailureTime']).toEqual(expect.any(String));
    expect((await h.kubectl('get', 'secret', 'public-tls')).code).not.toBe(0);
    expect(h.issuer.count('default/public')).toBe(0);
    const events = await h.kubectlOk('get', 'events', '--field-selector', 'involvedObject.name=public', '-o', 'json');
    expect(events).toContain('PolicyViolation');
  });

  it('reports a bad spec with InvalidSpec and the offending value', async () => {
    // The API server refuses this spec (CEL: duration at most 8760h), so it is written to storage
    // behind it, as an object stored before the rule existed would be.
    const tooLong = certificateRequest('too-long', withIps('10.1.2.3'), withDuration('9000h'));
    h.fake.objects.put({ ...tooLong, metadata: { ...tooLong.metadata, generation: 1 } } as unknown as JsonObject);
    await h.kubectlOk('wait', '--for=condition=Ready=False', '--timeout=30s', 'certificaterequests.smsgate-ca.sms-gate.app/too-long');
    const cr = await h.getJson('certificaterequests.smsgate-ca.sms-gate.app', 'too-long');
    expect(readyCondition(cr)).toMatchObject({ reason: 'InvalidSpec' });
    expect(readyCondition(cr)?.message).toContain('9000h');
    expect((await h.kubectl('get', 'secret', 'too-long-tls')).code).not.toBe(0);
  });

  it('refuses to overwrite a Secret it does not own, and issues once it is gone', async () => {
    await h.kubectlOk('create', 'secret', 'generic', 'taken', '--from-literal=password=hunter2');
    await h.apply(manifest(certificateRequest('squatter', withIps('10.9.9.9'), withSecretName('taken'))));
    const cr = await eventually(async () => {
      const current = await h.getJson('certificaterequests.smsgate-ca.sms-gate.app', 'squatter');
      return readyCondition(current)?.reason === 'SecretConflict' ? current : undefined;
    }, 'SecretConflict');
    expect(readyCondition(cr)?.message).toContain('taken');
    const untouched = await h.getJson('secret', 'taken');
    expect(data(untouched, 'password')).toBe('hunter2');
    expect(h.issuer.count('default/squatter')).toBe(0);
    await h.kubectlOk('delete', 'secret', 'taken');
    await waitReady('squatter');
    const secret = await h.getJson('secret', 'taken');
    expect(secret['type']).toBe('kubernetes.io/tls');
  });

  it('signs a CSR given in spec.request into status.certificate', async () => {
    const { privateKey, publicKey } = await import('node:crypto').then((crypto) => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    const csr = await csrFor(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), '172.20.0.5');
    await h.apply(manifest(certificateRequest('from-csr', withCsr(csr))));
    await waitReady('from-csr');
    const cr = await h.getJson('certificaterequests.smsgate-ca.sms-gate.app', 'from-csr');
    const chain = String(status(cr)['certificate']);
    const verified = await verifyServerChain(h.home, chain, h.material.rootPem, '172.20.0.5');
    expect(verified.code, verified.stderr).toBe(0);
    const leaf = new X509Certificate(chain);
    expect(leaf.publicKey.export({ type: 'spki', format: 'der' })).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
  });

  it('signs through an IPIssuer, which narrows the ranges and reports Ready', async () => {
    await h.apply(JSON.stringify({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPIssuer', metadata: { name: 'lab', namespace: 'default' }, spec: { allowedCIDRs: ['10.20.0.0/16'] } }));
    await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', 'ipissuers.smsgate-ca.sms-gate.app/lab');
    await h.apply(manifest(certificateRequest('lab-ok', withIps('10.20.1.1'), withIssuer('lab'))));
    await h.apply(manifest(certificateRequest('lab-outside', withIps('10.30.1.1'), withIssuer('lab'))));
    await waitReady('lab-ok');
    await h.kubectlOk('wait', '--for=condition=Ready=False', '--timeout=30s', 'certificaterequests.smsgate-ca.sms-gate.app/lab-outside');
    const outside = await h.getJson('certificaterequests.smsgate-ca.sms-gate.app', 'lab-outside');
    expect(readyCondition(outside)).toMatchObject({ reason: 'PolicyViolation' });
    expect(readyCondition(outside)?.message).toContain('10.30.1.1');
    await h.apply(JSON.stringify({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPClusterIssuer', metadata: { name: 'too-wide' }, spec: { allowedCIDRs: ['100.64.0.0/10'] } }));
    await h.kubectlOk('wait', '--for=condition=Ready=False', '--timeout=30s', 'ipclusterissuers.smsgate-ca.sms-gate.app/too-wide');
    const wide = await h.getJson('ipclusterissuers.smsgate-ca.sms-gate.app', 'too-wide');
    expect(readyCondition(wide)).toMatchObject({ reason: 'Invalid' });
  });

  it('waits for a named issuer that does not exist yet', async () => {
    await h.apply(manifest(certificateRequest('later', withIps('192.168.50.1'), withIssuer('late', 'IPClusterIssuer'))));
    const pending = await eventually(async () => {
      const current = await h.getJson('certificaterequests.smsgate-ca.sms-gate.app', 'later');
      return readyCondition(current)?.reason === 'Pending' ? current : undefined;
    }, 'Pending');
    expect(readyCondition(pending)?.message).toContain('late');
    await h.apply(JSON.stringify({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPClusterIssuer', metadata: { name: 'late' }, spec: {} }));
    await waitReady('later');
  });

  it('keeps the Secret when its CertificateRequest is deleted (Secrets outlive requests unless --secret-owner-references)', async () => {
    await h.kubectlOk('delete', 'certificaterequests.smsgate-ca.sms-gate.app', 'web', '--wait=true');
    await h.fake.settle();
    expect((await h.kubectl('get', 'secret', 'web-tls')).code).toBe(0);
  });
});

async function csrFor(keyPem: string, ip: string): Promise<string> {
  const { mkdtemp, writeFile, readFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { openssl } = await import('../support/openssl.js');
  const dir = await mkdtemp(join(tmpdir(), 'csr-'));
  await writeFile(join(dir, 'key.pem'), keyPem);
  const result = await openssl(['req', '-new', '-key', 'key.pem', '-subj', `/CN=${ip}`, '-addext', `subjectAltName=IP:${ip}`, '-out', 'req.pem'], { cwd: dir });
  if (result.code !== 0) throw new Error(result.stderr);
  return readFile(join(dir, 'req.pem'), 'utf8');
}
