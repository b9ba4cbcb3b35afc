import { createHash, X509Certificate } from 'node:crypto';
import type { ConfigMap } from '../../kube/core-types.js';
import type { KubeApi } from '../../kube/kube-api.js';
import { isAlreadyExists } from '../../kube/kube-errors.js';
import { ResourceClient } from '../../kube/resource-client.js';
import { CONFIG_MAPS } from '../../kube/resource-types.js';

/**
 * A small ConfigMap beside the CA Secret that remembers which root the operator's CA has: it
 * outlives the Secret, so a start that finds the Secret gone can tell a first start (no record)
 * from a lost CA (a record), and name the root that was lost.
 */
export interface CaRecord {
  readonly name: string;
  /** SHA-256 of the root certificate (DER), lowercase hex. */
  readonly rootSha256: string;
  readonly rootPem: string;
}

export function caRecordName(secretName: string): string {
  return `${secretName}-record`;
}

export function rootFingerprint(rootPem: string): string {
  return createHash('sha256').update(new X509Certificate(rootPem).raw).digest('hex');
}

export async function readCaRecord(api: KubeApi, namespace: string, secretName: string): Promise<CaRecord | undefined> {
  const configMap = await new ResourceClient<ConfigMap>(api, CONFIG_MAPS).get(namespace, caRecordName(secretName));
  if (!configMap) return undefined;
  return { name: `${namespace}/${caRecordName(secretName)}`, rootSha256: configMap.data?.['root-sha256'] ?? '', rootPem: configMap.data?.['ca.crt'] ?? '' };
}

/** Records `rootPem` as the CA's root; says what it found there before. */
export async function writeCaRecord(api: KubeApi, namespace: string, secretName: string, rootPem: string): Promise<'created' | 'unchanged' | { replaced: string }> {
  const configMaps = new ResourceClient<ConfigMap>(api, CONFIG_MAPS);
  const name = caRecordName(secretName);
  const data = { 'ca.crt': rootPem, 'root-sha256': rootFingerprint(rootPem) };
  const existing = await configMaps.get(namespace, name);
  if (!existing) {
    try {
      await configMaps.create({ metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'smsgate-ca', 'app.kubernetes.io/component': 'ca-record' } }, data });
      return 'created';
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      return writeCaRecord(api, namespace, secretName, rootPem);
    }
  }
  const before = existing.data?.['root-sha256'] ?? '';
  if (before === data['root-sha256']) return 'unchanged';
  await configMaps.mergePatch(namespace, name, { metadata: { resourceVersion: existing.metadata?.resourceVersion }, data });
  return { replaced: before };
}
