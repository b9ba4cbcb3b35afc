import type { ConfigMap } from '../kube/core-types.js';
import { isAlreadyExists } from '../kube/kube-errors.js';
import type { ResourceClient } from '../kube/resource-client.js';

/** Publishes the root (key `ca.crt`) in a ConfigMap for clients and trust-manager; idempotent. */
export async function publishTrustBundle(configMaps: ResourceClient<ConfigMap>, namespace: string, name: string, rootPem: string): Promise<'created' | 'updated' | 'unchanged'> {
  const existing = await configMaps.get(namespace, name);
  if (existing?.data?.['ca.crt'] === rootPem) return 'unchanged';
  if (existing) {
    await configMaps.mergePatch(namespace, name, { data: { 'ca.crt': rootPem } });
    return 'updated';
  }
  try {
    await configMaps.create({ metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'smsgate-ca' } }, data: { 'ca.crt': rootPem } });
    return 'created';
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    return publishTrustBundle(configMaps, namespace, name, rootPem);
  }
}
