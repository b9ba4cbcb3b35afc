import type { Clock, Ipv4RangeSet, KeyAlgorithm } from '../ca/index.js';
import { writeCaRecord } from '../keystore/kubernetes/ca-record.js';
import { createCaSecret, loadFromSecret, readCaSecret, rotateCaSecret } from '../keystore/kubernetes/ca-secret.js';
import type { KubeApi } from '../kube/kube-api.js';
import type { Logger } from '../telemetry/logger.js';
import type { CaKeystore } from './ca-upkeep.js';
import type { OpenCaParts, OpenedCa } from './cluster-parts.js';
import { earlierCaEvidence } from './earlier-ca-evidence.js';

export interface SecretCaOptions {
  readonly api: KubeApi;
  readonly namespace: string;
  readonly secretName: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly newCaRanges: Ipv4RangeSet;
  readonly allowedRanges: Ipv4RangeSet | undefined;
  /** --ca-bootstrap: create a CA even though the cluster shows an earlier one existed. */
  readonly bootstrap: boolean;
  readonly trustConfigMap: { readonly namespace: string; readonly name: string } | undefined;
  /** The namespaces the controller watches (its certificate Secrets live there); undefined: all. */
  readonly watchNamespaces?: readonly string[] | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The operator's CA in its Secret. Created only on a true first start: when the Secret is missing
 * but the cluster shows an earlier CA (its record, issued records, managed Secrets, the trust
 * ConfigMap), serve runs without a CA, refusing every signature and saying why, until the Secret is
 * restored (the upkeep finds it) or serve starts with --ca-bootstrap.
 */
export async function openSecretCa(options: SecretCaOptions, parts: OpenCaParts): Promise<OpenedCa> {
  const { api, namespace, secretName, logger } = options;
  const where = `${namespace}/${secretName}`;
  const keystore = secretKeystore(options);
  const existing = await readCaSecret(options);
  if (existing) {
    const loaded = loadFromSecret(existing, options);
    await recordRoot(options, loaded.rootCertificatePem);
    return { keystore, loaded };
  }
  const { trustConfigMap, watchNamespaces } = options;
  const evidence = await earlierCaEvidence({ api, namespace, secretName, trustConfigMap, watchNamespaces, localCertificates: parts.ledgerCertificates, logger });
  if (evidence.length > 0 && !options.bootstrap) {
    const missing = `the CA Secret ${where} is missing, but an earlier CA existed (${evidence.join('; ')}); restore the Secret from a backup, or start once with --ca-bootstrap to create a new root (every client must then trust it)`;
    logger.error({ secret: where, evidence }, `refusing to create a new CA: ${missing}`);
    return { keystore, loaded: undefined, missing };
  }
  const created = await createCaSecret({ ...options, ...(options.allowedRanges ? { allowedRanges: options.allowedRanges } : {}) });
  if (created.created && evidence.length > 0) logger.warn({ secret: where, evidence }, 'created a new CA over an earlier one (--ca-bootstrap): every client must trust the new root');
  else if (created.created) logger.info({ secret: where, keyAlgorithm: options.keyAlgorithm }, 'created a new CA in its Secret (first start)');
  await recordRoot(options, created.rootCertificatePem);
  return { keystore, loaded: created };
}

function secretKeystore(options: SecretCaOptions): CaKeystore {
  const { clock } = options;
  const load = { ...options, ...(options.allowedRanges ? { allowedRanges: options.allowedRanges } : {}) };
  return {
    where: `Secret ${options.namespace}/${options.secretName}`,
    load: async () => {
      const secret = await readCaSecret(options);
      return secret ? loadFromSecret(secret, load) : undefined;
    },
    rotate: async (rootKey, expectedActive) => (await rotateCaSecret({ ...options, rootKey, expectedActive, clock })).rotated,
  };
}

/** Remembers the root beside the Secret; a different root there is said out loud. */
async function recordRoot(options: SecretCaOptions, rootPem: string): Promise<void> {
  try {
    const outcome = await writeCaRecord(options.api, options.namespace, options.secretName, rootPem);
    if (typeof outcome === 'object') options.logger.warn({ secret: `${options.namespace}/${options.secretName}`, previousRootSha256: outcome.replaced }, 'the CA Secret holds another root than the one recorded before');
  } catch (error) {
    options.logger.warn({ err: error }, 'could not record the CA root in its ConfigMap');
  }
}
