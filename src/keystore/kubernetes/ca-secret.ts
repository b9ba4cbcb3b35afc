import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  CaError,
  createCa,
  createSuccessorIntermediate,
  Ipv4RangeSet,
  loadCaHierarchy,
  type CaMaterial,
  type Clock,
  type IntermediateSource,
  type KeyAlgorithm,
} from '../../ca/index.js';
import { encodeSecretData, secretValue, TLS_SECRET_TYPE, type Secret } from '../../kube/core-types.js';
import type { KubeApi } from '../../kube/kube-api.js';
import { isAlreadyExists, isConflict } from '../../kube/kube-errors.js';
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
/** Former intermediates in the CA Secret: `intermediate-<key id>.crt` and `.key`. */
const FORMER_PREFIX = 'intermediate-';

/**
 * The CA in a Secret: `tls.crt` (the signing CA, optionally followed by its chain), `tls.key`,
 * `ca.crt` (the root), the intermediates a rollover replaced as `intermediate-<key id>.crt/.key`
 * and, when generated here, `root.key`. Created on first start when absent; when replicas race,
 * the first create wins and everyone loads that one.
 */
export async function openCaSecret(options: CaSecretOptions): Promise<LoadedCa & { created: boolean }> {
  const secret = await readCaSecret(options);
  if (secret) return { ...loadFromSecret(secret, options), created: false };
  if (options.createIfMissing === false) {
    throw new CaError('ca_material_invalid', `CA Secret ${options.namespace}/${options.secretName} does not exist`, options.secretName);
  }
  return createCaSecret(options);
}

export async function readCaSecret(options: Pick<CaSecretOptions, 'api' | 'namespace' | 'secretName'>): Promise<Secret | undefined> {
  return new ResourceClient<Secret>(options.api, SECRETS).get(options.namespace, options.secretName);
}

/** Creates a new CA into the Secret; when another replica created it first, loads theirs (created false). */
export async function createCaSecret(options: CaSecretOptions): Promise<LoadedCa & { created: boolean }> {
  const secrets = new ResourceClient<Secret>(options.api, SECRETS);
  try {
    return { ...loadFromSecret(await secrets.create(newCaSecret(options)), options), created: true };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const secret = await secrets.get(options.namespace, options.secretName);
  if (!secret) throw new CaError('ca_material_invalid', `CA Secret ${options.namespace}/${options.secretName} vanished while it was being created`, options.secretName);
  return { ...loadFromSecret(secret, options), created: false };
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
  const { hierarchy, skipped } = loadCaHierarchy({
    // Without ca.crt, tls.crt must carry the chain up to a self-signed root (or be the root).
    rootPem,
    active: { label: `${name} tls.crt`, certificatePem, privateKeyPem },
    former: formerIntermediates(secret, name),
    allowedRanges: options.allowedRanges,
    clock: options.clock,
  });
  const rootKeyPem = secretValue(secret, ROOT_KEY_ENTRY);
  return {
    hierarchy,
    material: hierarchy.active,
    rootCertificatePem: hierarchy.rootPem,
    ...(rootKeyPem ? { rootKey: createPrivateKey(rootKeyPem) } : {}),
    skipped,
  };
}

function formerIntermediates(secret: Secret, name: string): IntermediateSource[] {
  const keys = Object.keys(secret.data ?? {}).filter((key) => key.startsWith(FORMER_PREFIX) && key.endsWith('.crt'));
  return keys.sort().flatMap((key) => {
    const certificatePem = secretValue(secret, key);
    const privateKeyPem = secretValue(secret, key.replace(/\.crt$/, '.key'));
    return certificatePem && privateKeyPem ? [{ label: `${name} ${key}`, certificatePem, privateKeyPem }] : [];
  });
}

export interface RotateCaSecretOptions extends Pick<CaSecretOptions, 'api' | 'namespace' | 'secretName' | 'clock'> {
  /** The root key; default the Secret's own root.key. */
  readonly rootKey?: KeyObject;
  /** Rotate only while this intermediate (key id) is the active one: another replica may have rotated already. */
  readonly expectedActive?: string;
}

/**
 * A rollover in the Secret: one conditional update (its resourceVersion) puts the successor in
 * tls.crt/tls.key and keeps the replaced intermediate as intermediate-<key id>.crt/.key. When
 * someone else rotated first (a conflict, or another active intermediate), theirs stands.
 */
export async function rotateCaSecret(options: RotateCaSecretOptions): Promise<{ rotated: boolean; active: CaMaterial }> {
  const secrets = new ResourceClient<Secret>(options.api, SECRETS);
  const where = `${options.namespace}/${options.secretName}`;
  for (let attempt = 1; ; attempt++) {
    const secret = await secrets.get(options.namespace, options.secretName);
    if (!secret) throw new CaError('ca_material_invalid', `CA Secret ${where} does not exist`, options.secretName);
    const current = loadFromSecret(secret, options);
    if (options.expectedActive !== undefined && current.material.keyIdentifier !== options.expectedActive) return { rotated: false, active: current.material };
    const rootKey = options.rootKey ?? current.rootKey;
    if (!rootKey) throw new CaError('ca_material_invalid', `CA Secret ${where} holds no root.key; give the root key (smsgate-ca ca rotate --root-key FILE)`, options.secretName);
    const successor = createSuccessorIntermediate({
      rootCertificatePem: current.rootCertificatePem,
      rootKey,
      predecessorCertificatePem: current.material.signerCertificatePem,
      clock: options.clock,
    });
    const former = `${FORMER_PREFIX}${current.material.keyIdentifier}`;
    const data = encodeSecretData({
      'tls.crt': successor.certificatePem,
      'tls.key': successor.privateKeyPem,
      [`${former}.crt`]: current.material.signerCertificatePem,
      [`${former}.key`]: current.material.signerKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    try {
      const updated = await secrets.mergePatch(options.namespace, options.secretName, { metadata: { resourceVersion: secret.metadata.resourceVersion }, data });
      return { rotated: true, active: loadFromSecret(updated, options).material };
    } catch (error) {
      if (!isConflict(error) || attempt >= 3) throw error;
    }
  }
}
