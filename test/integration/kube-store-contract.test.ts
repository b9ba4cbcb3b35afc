import { KubernetesStore } from '../../src/store/kubernetes/kubernetes-store.js';
import { useKubeDouble } from '../support/kube-double.js';
import { describeStoreContract } from '../support/store-contract.js';

/** The Kubernetes store against the API-server double: each test gets a namespace of its own. */
const kube = useKubeDouble();

describeStoreContract('Kubernetes (API-server double)', () => {
  const namespace = kube.newNamespace('contract');
  return Promise.resolve(new KubernetesStore({ api: kube.api(), namespace, podName: 'smsgate-ca-0' }));
});
