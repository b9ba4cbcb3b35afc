import { randomBytes } from 'node:crypto';
import { ACME_LABELS, ACME_RESERVATIONS, type AcmeReservationObject, type ReservationType } from '../../../custom-resources/acme-types.js';
import type { Secret } from '../../../kube/core-types.js';
import type { KubeApi } from '../../../kube/kube-api.js';
import { isAlreadyExists, isConflict } from '../../../kube/kube-errors.js';
import { ResourceClient } from '../../../kube/resource-client.js';
import { SECRETS } from '../../../kube/resource-types.js';
import { chargeBucket, type RateLimitDecision, type RateLimitSetting } from '../../../shared/rate-limit.js';
import { digestLabel, expiresMinute, timeText } from './acme-names.js';

const ATTEMPTS = 20;
const NONCE_KEY_ENTRY = 'key';

/**
 * ACMEReservations: an object whose name only one writer can create makes a fact unique across
 * replicas (AccountKey: one account per key; Nonce: each nonce accepted once); RateLimit objects
 * hold one token bucket each, written conditionally. Nonce and RateLimit reservations carry the
 * minute from which they may be deleted, so collection is one deletecollection per type.
 */
export class AcmeReservations {
  readonly client: ResourceClient<AcmeReservationObject>;

  constructor(
    private readonly api: KubeApi,
    private readonly namespace: string,
  ) {
    this.client = new ResourceClient<AcmeReservationObject>(api, ACME_RESERVATIONS);
  }

  /** Creates the reservation; false when one of that name exists. */
  async create(name: string, type: ReservationType, spec: Omit<AcmeReservationObject['spec'], 'type'>, expires?: Date): Promise<boolean> {
    try {
      await this.client.create(this.reservation(name, type, spec, expires ? { expires: timeText(expires) } : {}));
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }

  get(name: string): Promise<AcmeReservationObject | undefined> {
    return this.client.get(this.namespace, name);
  }

  async delete(name: string): Promise<void> {
    await this.client.delete(this.namespace, name);
  }

  /** One token-bucket charge: read, compute, write conditionally (create when absent), again on a conflict. */
  async charge(limit: string, key: string, setting: RateLimitSetting, now: Date): Promise<RateLimitDecision> {
    const name = `rate-${limit}-${digestLabel(key)}`;
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(name);
      const status = current?.status;
      const bucket = status?.tokens !== undefined && status.updated ? { tokens: status.tokens, atMs: new Date(status.updated).getTime() } : undefined;
      const charge = chargeBucket(bucket, setting, now.getTime());
      if (!charge.decision.allowed) return charge.decision;
      const next = this.reservation(name, 'RateLimit', { limit, key }, { tokens: charge.bucket.tokens, updated: timeText(now), expires: timeText(new Date(charge.fullAtMs)) });
      try {
        if (current) await this.client.replace({ ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } });
        else await this.client.create(next);
        return charge.decision;
      } catch (error) {
        if (!(isConflict(error) || isAlreadyExists(error)) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  /** Deletes the lapsed reservations of `type` in one request; how many went. */
  async collect(type: ReservationType, now: Date): Promise<number> {
    const selector = `${ACME_LABELS.reservation}=${type},${ACME_LABELS.expiresMinute}<${Math.floor(now.getTime() / 60_000) + 1}`;
    const deleted = await this.api.request<{ items?: unknown[] } | undefined>({ method: 'DELETE', path: this.client.path(this.namespace), query: { labelSelector: selector } });
    return deleted?.items?.length ?? 0;
  }

  /** The nonce MAC key every replica shares: the Secret's `key`, created on first use (the first create wins). */
  async nonceKey(secretName: string): Promise<Uint8Array> {
    const secrets = new ResourceClient<Secret>(this.api, SECRETS);
    const existing = await secrets.get(this.namespace, secretName);
    if (existing) return keyOf(existing);
    const fresh: Secret = {
      metadata: { name: secretName, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'smsgate-ca', 'app.kubernetes.io/component': 'acme-nonce-key' } },
      type: 'Opaque',
      data: { [NONCE_KEY_ENTRY]: randomBytes(32).toString('base64') },
    };
    try {
      return keyOf(await secrets.create(fresh));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const winner = await secrets.get(this.namespace, secretName);
      if (!winner) throw new Error(`the nonce key Secret ${this.namespace}/${secretName} vanished while it was being created`);
      return keyOf(winner);
    }
  }

  private reservation(name: string, type: ReservationType, spec: Omit<AcmeReservationObject['spec'], 'type'>, status: AcmeReservationObject['status']): AcmeReservationObject {
    const labels: Record<string, string> = { [ACME_LABELS.reservation]: type, ...(status.expires ? { [ACME_LABELS.expiresMinute]: expiresMinute(new Date(status.expires)) } : {}) };
    return { metadata: { name, namespace: this.namespace, labels }, spec: { type, ...spec }, status };
  }
}

function keyOf(secret: Secret): Uint8Array {
  const text = secret.data?.[NONCE_KEY_ENTRY];
  const key = text === undefined ? undefined : Buffer.from(text, 'base64');
  if (!key || key.length < 32) throw new Error(`the nonce key Secret ${secret.metadata.namespace}/${secret.metadata.name} has no "${NONCE_KEY_ENTRY}" of at least 32 bytes`);
  return new Uint8Array(key);
}
