import { createPrivateKey } from 'node:crypto';
import { CaError, createCa, Ipv4RangeSet, loadCaMaterial, type Clock, type KeyAlgorithm } from '../../ca/index.js';
import { encodeSecretData, secretValue, TLS_SECRET_TYPE, type Secret } from '../../kube/core-types.js';
import type { KubeApi } from '../../kube/kube-api.js';
import { isAlreadyExists } from '../../kube/kube-errors.js';
import { ResourceClient } from '../../kube/resource-client.js';
import { SECRETS } from '../../kube/resource-types.js';
import type { LoadedCa } from '../ca-directory.js';

export interface CaSecretOptions {
  readonly api: KubeApi;
  readonly namespace: string;
  readonly secretName: string;
  /** Create a root + intermediate into the Secret when it does not exist. Default true. */
  readonly createIfMissing?: boolean;
  readonly keyAlgorithm: KeyAlgorithm;
  /** What the loaded CA is narrowed to; undefined: what the CA was created for (its name constraints). */
  readonly allowedRanges?: Ipv4RangeSet | undefined;
  /** The name constraints of a CA created here; default `allowedRanges`, else the three private ranges. */
  readonly newCaRanges?: Ipv4RangeSet;
  readonly clock: Clock;
}

/** Key of the root's private key in a generated CA Secret (kept online, as in the standalone data directory). */
export const ROOT_KEY_ENTRY = 'root.key';

/**
 * The CA in a Secret: `tls.crt` (the signing CA, optionally followed by its chain), `tls.key`,
 * `ca.crt` (the root) and, when generated here, `root.key`. Created on first start when absent;
 * when replicas race, the first create wins and everyone loads that one.
 */
export async function openCaSecret(options: CaSecretOptions): Promise<LoadedCa & { created: boolean }> {
  const secrets = new ResourceClient<Secret>(options.api, SECRETS);
  let secret = await secrets.get(options.namespace, options.secretName);
  let created = false;
  if (!secret) {
    if (options.createIfMissing === false) {
      throw new CaError('ca_material_invalid', `CA Secret ${options.namespace}/${options.secretName} does not exist`, options.secretName);
    }
    try {
      secret = await secrets.create(newCaSecret(options));
      created = true;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      secret = await secrets.get(options.namespace, options.secretName);
    }
    if (!secret) throw new CaError('ca_material_invalid', `CA Secret ${options.namespace}/${options.secretName} vanished while it was being created`, options.secretName);
  }
  return { ...loadFromSecret(secret, options), created };
}

function newCaSecret(options: CaSecretOptions): Secret {
  const allowedRanges = options.newCaRanges ?? options.allowedRanges ?? Ipv4RangeSet.defaults;
  const ca = createCa({ keyAlgorithm: options.keyAlgorithm, allowedRanges, clock: options.clock });
  return {
    metadata: { name: options.secretName, namespace: options.namespace, labels: { 'app.kubernetes.io/managed-by': 'smsgate-ca', 'app.kubernetes.io/component': 'ca' } },
    type: TLS_SECRET_TYPE,
    data: encodeSecretData({
      'tls.crt': ca.intermediate.certificatePem,
      'tls.key': ca.intermediate.privateKeyPem,
      'ca.crt': ca.root.certificatePem,
      [ROOT_KEY_ENTRY]: ca.root.privateKeyPem,
    }),
  };
}

export function loadFromSecret(secret: Secret, options: Pick<CaSecretOptions, 'allowedRanges' | 'clock'>): LoadedCa {
  const name = `${secret.metadata.namespace ?? ''}/${secret.metadata.name ?? ''}`;
  const certificatePem = secretValue(secret, 'tls.crt');
  const privateKeyPem = secretValue(secret, 'tls.key');
  if (!certificatePem || !privateKeyPem) throw new CaError('ca_material_invalid', `CA Secret ${name} needs tls.crt and tls.key`, name);
  const rootPem = secretValue(secret, 'ca.crt');
  const material = loadCaMaterial({
    certificatePem,
    privateKeyPem,
    ...(rootPem ? { chainPem: rootPem } : {}),
    ...(options.allowedRanges ? { allowedRanges: options.allowedRanges } : {}),
    clock: options.clock,
  });
  const rootKeyPem = secretValue(secret, ROOT_KEY_ENTRY);
  return { material, rootCertificatePem: material.rootPem, ...(rootKeyPem ? { rootKey: createPrivateKey(rootKeyPem) } : {}) };
}
