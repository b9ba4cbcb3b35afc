import type { CertificateRequest } from '../custom-resources/crd-types.js';
import { ANNOTATIONS, LABELS } from '../custom-resources/labels.js';
import { CERTIFICATE_REQUESTS } from '../custom-resources/resource-types.js';
import { readCaRecord } from '../keystore/kubernetes/ca-record.js';
import type { ConfigMap, Secret } from '../kube/core-types.js';
import type { KubeApi } from '../kube/kube-api.js';
import { ResourceClient } from '../kube/resource-client.js';
import { CONFIG_MAPS, SECRETS } from '../kube/resource-types.js';
import type { Logger } from '../telemetry/logger.js';

export interface EvidenceSources {
  readonly api: KubeApi;
  /** The operator's namespace: the CA Secret, its record, the request records. */
  readonly namespace: string;
  readonly secretName: string;
  readonly trustConfigMap: { readonly namespace: string; readonly name: string } | undefined;
  /** Where certificate Secrets are looked for: these namespaces (the controller's watched ones); undefined: all. */
  readonly watchNamespaces?: readonly string[] | undefined;
  /** Certificates in the local SQLite ledger of the data directory. */
  readonly localCertificates: () => Promise<number>;
  readonly logger: Logger;
}

/** Managed Secrets looked at: enough to find one of the operator's own CA among those of issuers with their own. */
const SECRETS_LOOKED_AT = 100;

/**
 * What shows that the operator's CA existed before, when its Secret is missing: empty on a true
 * first start. A source that cannot be read (RBAC, a CRD not installed) is logged and passed over.
 */
export async function earlierCaEvidence(sources: EvidenceSources): Promise<string[]> {
  const checks: Array<[string, () => Promise<string | undefined>]> = [
    ['the CA record', () => recorded(sources)],
    ['request records', () => issuedRecords(sources)],
    ['certificate Secrets', () => managedSecrets(sources)],
    ['the trust ConfigMap', () => trustConfigMap(sources)],
    ['the local ledger', () => localLedger(sources)],
  ];
  const found: string[] = [];
  for (const [what, check] of checks) {
    try {
      const evidence = await check();
      if (evidence) found.push(evidence);
    } catch (error) {
      sources.logger.warn({ err: error, what }, 'could not check for an earlier CA here');
    }
  }
  return found;
}

async function recorded({ api, namespace, secretName }: EvidenceSources): Promise<string | undefined> {
  const record = await readCaRecord(api, namespace, secretName);
  return record ? `the CA record ConfigMap ${record.name} names root SHA-256 ${record.rootSha256}` : undefined;
}

async function issuedRecords({ api, namespace }: EvidenceSources): Promise<string | undefined> {
  const { items } = await new ResourceClient<CertificateRequest>(api, CERTIFICATE_REQUESTS).list(namespace, { labelSelector: LABELS.serialNumber, limit: 1 });
  const [first] = items;
  return first ? `issued CertificateRequest records in ${namespace} (e.g. ${first.metadata.name ?? ''})` : undefined;
}

async function managedSecrets({ api, watchNamespaces }: EvidenceSources): Promise<string | undefined> {
  const secrets = new ResourceClient<Secret>(api, SECRETS);
  for (const namespace of watchNamespaces?.length ? watchNamespaces : [undefined]) {
    const { items } = await secrets.list(namespace, { labelSelector: `${LABELS.managedSecret}=true`, limit: SECRETS_LOOKED_AT });
    // Secrets of issuers with a CA of their own name that CA's id; the operator's CA is "operator…".
    const ours = items.find((secret) => (secret.metadata.annotations?.[ANNOTATIONS.issuer] ?? 'operator').startsWith('operator'));
    if (ours) return `certificate Secrets it issued (e.g. ${ours.metadata.namespace ?? ''}/${ours.metadata.name ?? ''})`;
  }
  return undefined;
}

async function trustConfigMap({ api, trustConfigMap: target }: EvidenceSources): Promise<string | undefined> {
  if (!target) return undefined;
  const configMap = await new ResourceClient<ConfigMap>(api, CONFIG_MAPS).get(target.namespace, target.name);
  return configMap?.data?.['ca.crt'] ? `the trust ConfigMap ${target.namespace}/${target.name} with a root` : undefined;
}

async function localLedger({ localCertificates }: EvidenceSources): Promise<string | undefined> {
  const count = await localCertificates();
  return count > 0 ? `${count} certificates in the data directory's ledger` : undefined;
}
