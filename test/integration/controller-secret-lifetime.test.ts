import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, Ipv4RangeSet, LeafSigner } from '../../src/ca/index.js';
import { certificateRequest, manifest, withIps, withSecretName } from '../support/builders.js';
import { eventually, startHarness, type ControllerHarness } from '../support/controller-harness.js';
import type { JsonObject } from '../support/fake-apiserver/index.js';
import { testCa } from '../support/test-ca.js';

/**
 * Secrets outlive their CertificateRequests (as cert-manager's outlive Certificates) unless
 * `--secret-owner-references` is set, and the double's garbage collector shows the difference.
 * A Secret cert-manager wrote for the same IPs is adopted; one for other IPs is left alone.
 */
let h: ControllerHarness;

beforeAll(async () => {
  h = await startHarness();
  const operator = h.operator();
  await operator.start();
  await operator.synced();
});

afterAll(async () => {
  await h?.close();
});

const CR = 'certificaterequests.smsgate-ca.sms-gate.app';

async function secret(name: string): Promise<JsonObject | undefined> {
  const result = await h.kubectl('get', 'secret', name, '-o', 'json');
  return result.code === 0 ? (JSON.parse(result.stdout) as JsonObject) : undefined;
}

function metadata(object: JsonObject): { annotations?: Record<string, string>; labels?: Record<string, string>; ownerReferences?: unknown[] } {
  return object['metadata'] as never;
}

function value(object: JsonObject, key: string): string {
  return Buffer.from((object['data'] as Record<string, string>)[key] ?? '', 'base64').toString('utf8');
}

async function ready(name: string): Promise<void> {
  await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', `${CR}/${name}`);
}

async function eventsOf(name: string): Promise<{ type: string; reason: string; message: string }[]> {
  const list = JSON.parse(await h.kubectlOk('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json')) as { items: { type: string; reason: string; message: string }[] };
  return list.items.map(({ type, reason, message }) => ({ type, reason, message }));
}

/** A kubernetes.io/tls Secret as cert-manager writes it for a Certificate: its annotations, no owner reference, another CA. */
function certManagerSecret(name: string, ips: readonly string[]): { manifest: string; keyPem: string } {
  const otherCa = testCa({ allowedRanges: Ipv4RangeSet.parse('10.0.0.0/8') });
  const key = generateKeyPair('ecdsa-p256');
  const issued = new LeafSigner(otherCa).issue({ subject: { spki: key.spki, key: { kind: 'ec', curve: 'P-256' } }, ips, type: 'webhook' });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const object = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name,
      namespace: 'default',
      labels: { 'controller.cert-manager.io/fao': 'true' },
      annotations: {
        'cert-manager.io/certificate-name': name.replace(/-tls$/, ''),
        'cert-manager.io/issuer-name': 'old-ca',
        'cert-manager.io/issuer-kind': 'ClusterIssuer',
        'cert-manager.io/issuer-group': 'cert-manager.io',
        'cert-manager.io/ip-sans': ips.join(','),
        'cert-manager.io/alt-names': '',
        'cert-manager.io/common-name': '',
        'team.example/owner': 'payments',
      },
    },
    data: { 'tls.crt': b64(issued.chainPem), 'tls.key': b64(key.privateKeyPem), 'ca.crt': b64(otherCa.rootPem) },
  };
  return { manifest: JSON.stringify(object), keyPem: key.privateKeyPem };
}

describe('Secrets outlive their requests', () => {
  it('by default: no owner reference, deleting the request leaves its Secret, and a request of the same name takes it back without signing', async () => {
    await h.apply(manifest(certificateRequest('keeper', withIps('10.20.0.1'), withSecretName('keeper-tls'))));
    await ready('keeper');
    const written = (await secret('keeper-tls'))!;
    expect(metadata(written).ownerReferences).toBeUndefined();
    await h.kubectlOk('delete', `${CR}/keeper`, '--wait=true');
    await h.fake.settle();
    const after = await secret('keeper-tls');
    expect(after, 'the Secret is still there').toBeDefined();
    expect(value(after!, 'tls.crt')).toBe(value(written, 'tls.crt'));
    // Recreated: the Secret it left is still valid for the same spec, so nothing is signed again.
    await h.apply(manifest(certificateRequest('keeper', withIps('10.20.0.1'), withSecretName('keeper-tls'))));
    await ready('keeper');
    expect(value((await secret('keeper-tls'))!, 'tls.crt')).toBe(value(written, 'tls.crt'));
    expect(h.issuer.count('default/keeper')).toBe(1);
  });

  it('with secretOwnerReferences: the request owns its Secret, and the garbage collector deletes it with the request', async () => {
    // A cluster of its own: two controllers with different settings would fight over one Secret.
    const own = await startHarness();
    try {
      const owning = own.operator({ secretOwnerReferences: true });
      await owning.start();
      await owning.synced();
      await ownerReferencedSecretIsCollected(own);
    } finally {
      await own.close();
    }
  });
});

async function ownerReferencedSecretIsCollected(h: ControllerHarness): Promise<void> {
  const secret = async (name: string): Promise<JsonObject | undefined> => {
    const result = await h.kubectl('get', 'secret', name, '-o', 'json');
    return result.code === 0 ? (JSON.parse(result.stdout) as JsonObject) : undefined;
  };
    await h.apply(manifest(certificateRequest('owned', withIps('10.20.0.2'), withSecretName('owned-tls'))));
    await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', `${CR}/owned`);
    const written = await eventually(async () => {
      const current = await secret('owned-tls');
      return current && (metadata(current).ownerReferences ?? []).length > 0 ? current : undefined;
    }, 'owned-tls with an owner reference');
    expect(metadata(written).ownerReferences).toEqual([expect.objectContaining({ kind: 'CertificateRequest', name: 'owned', controller: true })]);
    await h.kubectlOk('delete', `${CR}/owned`, '--wait=true');
    await eventually(async () => ((await secret('owned-tls')) === undefined ? true : undefined), 'owned-tls garbage-collected');
}

describe("adopting cert-manager's Secret", () => {
  it('same IPs: re-issued in place by our CA, key kept (rotationPolicy Never), cert-manager annotations dropped, other metadata kept, SecretAdopted Event', async () => {
    const old = certManagerSecret('vip-tls', ['10.20.1.1', '10.20.1.2']);
    await h.apply(old.manifest);
    await h.apply(
      JSON.stringify({
        apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
        kind: 'CertificateRequest',
        metadata: { name: 'vip', namespace: 'default' },
        spec: { ipAddresses: ['10.20.1.2', '10.20.1.1'], secretName: 'vip-tls', privateKey: { rotationPolicy: 'Never' } },
      }),
    );
    await ready('vip');
    const adopted = (await secret('vip-tls'))!;
    expect(value(adopted, 'ca.crt').trim()).toBe(h.material.rootPem.trim());
    const leaf = new X509Certificate(value(adopted, 'tls.crt'));
    expect(leaf.verify(new X509Certificate(h.material.signerCertificatePem).publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('IP Address:10.20.1.1, IP Address:10.20.1.2');
    expect(value(adopted, 'tls.key')).toBe(old.keyPem);
    const annotations = metadata(adopted).annotations ?? {};
    expect(Object.keys(annotations).filter((key) => key.startsWith('cert-manager.io/'))).toEqual([]);
    expect(annotations).toMatchObject({ 'team.example/owner': 'payments', 'ca.sms-gate.app/certificate-request': 'vip' });
    expect(metadata(adopted).labels).toMatchObject({ 'ca.sms-gate.app/managed': 'true' });
    const events = await eventually(async () => {
      const all = await eventsOf('vip');
      return all.some((event) => event.reason === 'SecretAdopted') ? all : undefined;
    }, 'the SecretAdopted Event');
    expect(events.find((event) => event.reason === 'SecretAdopted')).toEqual({ type: 'Normal', reason: 'SecretAdopted', message: 'Adopted Secret vip-tls from cert-manager Certificate vip' });
  });

  it('other IPs: left untouched, Ready=False SecretConflict naming both sets', async () => {
    const old = certManagerSecret('other-tls', ['10.20.2.1']);
    await h.apply(old.manifest);
    const before = (await secret('other-tls'))!;
    await h.apply(manifest(certificateRequest('other', withIps('10.20.2.9'), withSecretName('other-tls'))));
    const refused = await eventually(async () => {
      const cr = await h.getJson(`${CR}/other`);
      const condition = ((cr['status'] as JsonObject | undefined)?.['conditions'] as { type: string; reason: string; message: string }[] | undefined)?.find((item) => item.type === 'Ready');
      return condition?.reason === 'SecretConflict' ? condition : undefined;
    }, 'other SecretConflict');
    expect(refused.message).toContain('written by cert-manager for IPs [10.20.2.1], not [10.20.2.9]');
    expect(value((await secret('other-tls'))!, 'tls.crt')).toBe(value(before, 'tls.crt'));
    expect(h.issuer.count('default/other')).toBe(0);
  });
});
