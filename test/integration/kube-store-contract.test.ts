import { afterAll, beforeAll } from 'vitest';
import { connectKube, type KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeHttpClient } from '../../src/kube/kube-http-client.js';
import { KubernetesStore } from '../../src/store/kubernetes/kubernetes-store.js';
import { crdFiles, installCrds } from '../support/controller-harness.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { describeStoreContract } from '../support/store-contract.js';

/** The Kubernetes store against the API-server double: each test gets a namespace of its own. */
let fake: FakeApiServer;
let connection: KubeConnection;
let count = 0;

beforeAll(async () => {
  fake = await startFakeApiServer();
  await installCrds(fake, await crdFiles());
  connection = await connectKube({ kubeconfigPath: fake.kubeconfigPath });
});

afterAll(async () => {
  connection?.close();
  await fake?.close();
});

describeStoreContract('Kubernetes (API-server double)', () => {
  const namespace = `contract-${++count}`;
  fake.objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  return Promise.resolve(new KubernetesStore({ api: new KubeHttpClient(connection), namespace, podName: 'smsgate-ca-0' }));
});
