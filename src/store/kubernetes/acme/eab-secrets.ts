import { ACME_LABELS, EAB_SECRET_TYPE } from '../../../custom-resources/acme-types.js';
import { encodeSecretData, secretValue, type Secret } from '../../../kube/core-types.js';
import type { KubeApi } from '../../../kube/kube-api.js';
import { ResourceClient } from '../../../kube/resource-client.js';
import { SECRETS } from '../../../kube/resource-types.js';
import type { EabKeyRecord } from '../../acme-store.js';
import { updateObject } from './object-updates.js';

const REVOKED_AT = 'ca.sms-gate.app/acme-eab-revoked-at';

/**
 * External Account Binding keys as Secrets of the operator's namespace, labelled
 * `ca.sms-gate.app/acme-eab=true`: data `keyID`, `hmacKey` (the base64url text handed to the
 * client) and `label`. `smsgate-ca eab create --kubeconfig` writes them; `kubectl create secret
 * generic NAME --type=smsgate-ca.sms-gate.app/acme-eab-key --from-literal=keyID=… --from-literal=hmacKey=…`
 * plus the label does too. A revocation is an annotation.
 */
export class EabSecrets {
  private readonly secrets: ResourceClient<Secret>;

  constructor(
    api: KubeApi,
    private readonly namespace: string,
  ) {
    this.secrets = new ResourceClient<Secret>(api, SECRETS);
  }

  async create(key: Omit<EabKeyRecord, 'accounts' | 'revokedAt'>): Promise<void> {
    await this.secrets.create({
      metadata: {
        name: secretNameOf(key.keyId),
        namespace: this.namespace,
        labels: { [ACME_LABELS.eabSecret]: 'true', 'app.kubernetes.io/managed-by': 'smsgate-ca' },
        annotations: { 'ca.sms-gate.app/created-at': key.createdAt.toISOString() },
      },
      type: EAB_SECRET_TYPE,
      data: encodeSecretData({ keyID: key.keyId, hmacKey: Buffer.from(key.hmacKey).toString('base64url'), label: key.label }),
    });
  }

  async find(keyId: string): Promise<Omit<EabKeyRecord, 'accounts'> | undefined> {
    const secret = await this.findSecret(keyId);
    return secret ? recordOf(secret) : undefined;
  }

  async list(): Promise<Array<Omit<EabKeyRecord, 'accounts'>>> {
    const { items } = await this.secrets.listAll(this.namespace, { labelSelector: `${ACME_LABELS.eabSecret}=true` });
    return items.flatMap((secret) => recordOf(secret) ?? []).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async revoke(keyId: string, at: Date): Promise<boolean> {
    const secret = await this.findSecret(keyId);
    if (!secret?.metadata.name) return false;
    const outcome = await updateObject(
      this.secrets,
      this.namespace,
      secret.metadata.name,
      (current) => (current.metadata.annotations?.[REVOKED_AT] ? undefined : { ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [REVOKED_AT]: at.toISOString() } } }),
      secret,
    );
    return outcome?.changed ?? false;
  }

  private async findSecret(keyId: string): Promise<Secret | undefined> {
    const named = await this.secrets.get(this.namespace, secretNameOf(keyId));
    if (named && secretValue(named, 'keyID') === keyId) return named;
    const { items } = await this.secrets.listAll(this.namespace, { labelSelector: `${ACME_LABELS.eabSecret}=true` });
    return items.find((secret) => secretValue(secret, 'keyID') === keyId);
  }
}

/** `acme-eab-` and the key id in lower-case hex (names are DNS labels; key ids are base64url). */
function secretNameOf(keyId: string): string {
  return `acme-eab-${Buffer.from(keyId, 'utf8').toString('hex')}`.slice(0, 253);
}

function recordOf(secret: Secret): Omit<EabKeyRecord, 'accounts'> | undefined {
  const keyId = secretValue(secret, 'keyID');
  const hmacText = secretValue(secret, 'hmacKey');
  if (!keyId || !hmacText) return undefined;
  const notes = secret.metadata.annotations ?? {};
  const createdAt = notes['ca.sms-gate.app/created-at'] ?? secret.metadata.creationTimestamp ?? 0;
  const revokedAt = notes[REVOKED_AT];
  return {
    keyId,
    hmacKey: new Uint8Array(Buffer.from(hmacText.trim(), 'base64url')),
    label: secretValue(secret, 'label') ?? '',
    createdAt: new Date(createdAt),
    ...(revokedAt ? { revokedAt: new Date(revokedAt) } : {}),
  };
}
