import { describe, expect, it } from 'vitest';
import { KubernetesAcmeStore } from '../../src/store/kubernetes/acme/kubernetes-acme-store.js';
import { KubernetesStore } from '../../src/store/kubernetes/kubernetes-store.js';
import { describeAcmeStoreContract } from '../support/acme-store-contract.js';
import type { JsonObject } from '../support/fake-apiserver/index.js';
import { useKubeDouble } from '../support/kube-double.js';

/**
 * The ACME store in the API-server double: each test gets a namespace of its own, and every open()
 * is another client (another replica) over the same objects.
 */
const kube = useKubeDouble();

function storeIn(namespace: string): { acme: KubernetesAcmeStore; ledger: KubernetesStore } {
  const api = kube.api();
  const ledger = new KubernetesStore({ api, namespace, podName: 'smsgate-ca-0' });
  return { acme: new KubernetesAcmeStore({ api, namespace, ledger, nonceSecret: 'smsgate-ca-acme-nonce' }), ledger };
}

function newNamespace(): string {
  return kube.newNamespace('acme');
}

describeAcmeStoreContract('Kubernetes (API-server double)', async () => {
  const namespace = newNamespace();
  return { open: async () => storeIn(namespace) };
});

describe('Kubernetes ACME store: nonces and what it writes', () => {
  it('shares one nonce key between replicas, created once', async () => {
    const namespace = newNamespace();
    const keys = await Promise.all([storeIn(namespace).acme.nonceKey(), storeIn(namespace).acme.nonceKey()]);
    expect(Buffer.from(keys[0]).equals(Buffer.from(keys[1]))).toBe(true);
    expect(keys[0].length).toBe(32);
    expect(kube.fake.objects.list('v1', 'Secret', namespace).map((secret) => (secret['metadata'] as JsonObject)['name'])).toEqual(['smsgate-ca-acme-nonce']);
  });

  it('claims a nonce once across replicas, and collects the claim once it lapsed', async () => {
    const namespace = newNamespace();
    const [a, b] = [storeIn(namespace).acme, storeIn(namespace).acme];
    const expires = new Date('2030-01-01T00:10:00Z');
    expect(await Promise.all([a.claimNonce('ab'.repeat(20), expires), b.claimNonce('ab'.repeat(20), expires)])).toEqual(expect.arrayContaining([true, false]));
    expect(await a.claimNonce('cd'.repeat(20), new Date('2030-01-01T00:20:00Z'))).toBe(true);
    expect((await a.collectExpired(new Date('2030-01-01T00:09:59Z'))).bookkeeping).toBe(0);
    expect((await a.collectExpired(new Date('2030-01-01T00:10:00Z'))).bookkeeping).toBe(1);
    expect(await b.claimNonce('cd'.repeat(20), expires)).toBe(false);
  });

  it('names objects by the hex form of the ACME id and labels them for the look-ups', async () => {
    const namespace = newNamespace();
    const { acme } = storeIn(namespace);
    await acme.createAccount({ id: 'AAECAwQFBgcICQoL', thumbprint: 'A'.repeat(43), jwk: { kty: 'EC' }, contact: [], status: 'valid', termsOfServiceAgreed: true, createdAt: new Date('2030-01-01T00:00:00Z') });
    const [account] = kube.fake.objects.list('smsgate-ca.sms-gate.app/v1alpha1', 'ACMEAccount', namespace);
    expect((account!['metadata'] as JsonObject)['name']).toBe('000102030405060708090a0b');
    const reservations = kube.fake.objects.list('smsgate-ca.sms-gate.app/v1alpha1', 'ACMEReservation', namespace);
    expect(reservations.map((object) => [(object['metadata'] as JsonObject)['name'], (object['spec'] as JsonObject)['account']])).toEqual([[`key-${'0'.repeat(64)}`, 'AAECAwQFBgcICQoL']]);
  });
});
