import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, fixedClock, generateKeyPair, Ipv4RangeSet, isCaError, LeafSigner } from '../../src/ca/index.js';
import { openCaSecret } from '../../src/keystore/kubernetes/ca-secret.js';
import { encodeSecretData } from '../../src/kube/core-types.js';
import { connectKube, type KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeHttpClient } from '../../src/kube/kube-http-client.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';

/** The CA in a Secret: created on first start (once, even when replicas race), or supplied. */
let fake: FakeApiServer;
let connection: KubeConnection;
let api: KubeHttpClient;
const ranges = Ipv4RangeSet.parse('10.0.0.0/8,192.168.0.0/16');
const clock = fixedClock(new Date());

beforeAll(async () => {
  fake = await startFakeApiServer();
  connection = await connectKube({ kubeconfigPath: fake.kubeconfigPath });
  api = new KubeHttpClient(connection);
});

afterAll(async () => {
  connection?.close();
  await fake?.close();
});

describe('CA Secret', () => {
  it('is created on first start and loaded, not replaced, afterwards; racing replicas agree', async () => {
    const options = { api, namespace: 'default', secretName: 'smsgate-ca', keyAlgorithm: 'ecdsa-p256' as const, allowedRanges: ranges, clock };
    const [first, second] = await Promise.all([openCaSecret(options), openCaSecret(options)]);
    expect([first.created, second.created].filter(Boolean)).toHaveLength(1);
    expect(second.material.signerCertificatePem).toBe(first.material.signerCertificatePem);
    const third = await openCaSecret(options);
    expect(third.created).toBe(false);
    expect(third.rootCertificatePem).toBe(first.rootCertificatePem);
    expect(third.rootKey).toBeDefined();
    const secret = fake.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'smsgate-ca' })!;
    expect(Object.keys(secret['data'] as object).sort()).toEqual(['ca.crt', 'root.key', 'tls.crt', 'tls.key']);
    expect(third.material.allowedRanges.toString()).toBe('10.0.0.0/8, 192.168.0.0/16');
  });

  it('loads a supplied CA (bring your own) and signs with it', async () => {
    const own = createCa({ keyAlgorithm: 'ecdsa-p384', allowedRanges: Ipv4RangeSet.parse('10.0.0.0/8'), clock });
    fake.objects.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'byo-ca', namespace: 'default' }, type: 'kubernetes.io/tls', data: encodeSecretData({ 'tls.crt': own.intermediate.certificatePem, 'tls.key': own.intermediate.privateKeyPem, 'ca.crt': own.root.certificatePem }) });
    const loaded = await openCaSecret({ api, namespace: 'default', secretName: 'byo-ca', createIfMissing: false, keyAlgorithm: 'ecdsa-p256', allowedRanges: ranges, clock });
    expect(loaded.created).toBe(false);
    expect(loaded.rootCertificatePem).toBe(own.root.certificatePem);
    expect(loaded.rootKey).toBeUndefined();
    // Narrowed to the supplied intermediate's name constraints.
    expect(loaded.material.allowedRanges.toString()).toBe('10.0.0.0/8');
    const key = generateKeyPair('ecdsa-p256');
    const issued = new LeafSigner(loaded.material, { clock }).issue({ subject: { spki: key.spki, key: { kind: 'ec', curve: 'P-256' } }, ips: ['10.1.2.3'], type: 'webhook' });
    const leaf = new X509Certificate(issued.pem);
    const intermediate = new X509Certificate(own.intermediate.certificatePem);
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(leaf.checkIssued(intermediate)).toBe(true);
    expect(issued.chainPem).toContain(own.intermediate.certificatePem.trim());
  });

  it('refuses to start without a supplied Secret when it may not create one', async () => {
    const error = await openCaSecret({ api, namespace: 'default', secretName: 'absent', createIfMissing: false, keyAlgorithm: 'ecdsa-p256', allowedRanges: ranges, clock }).catch((caught: unknown) => caught);
    expect(isCaError(error) && error.message).toContain('default/absent');
  });
});
