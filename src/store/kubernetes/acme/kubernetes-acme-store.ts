import type { Ipv4 } from '../../../ca/index.js';
import {
  ACME_AUTHORIZATIONS,
  ACME_LABELS,
  ACME_ORDERS,
  type AcmeAuthorizationObject,
  type AcmeOrderObject,
} from '../../../custom-resources/acme-types.js';
import type { KubeApi } from '../../../kube/kube-api.js';
import { isConflict, isNotFound } from '../../../kube/kube-errors.js';
import { ResourceClient } from '../../../kube/resource-client.js';
import type { RateLimitDecision, RateLimitSetting } from '../../../shared/rate-limit.js';
import type {
  AcmeAccountRecord,
  AcmeAuthorizationRecord,
  AcmeCertificateRecord,
  AcmeCollected,
  AcmeJwk,
  AcmeNonceStore,
  AcmeOrderRecord,
  AcmeRateLimitName,
  AcmeStore,
  AcmeStoredProblem,
  ChallengeOutcome,
  EabKeyRecord,
  KeyChangeResult,
  NewAcmeOrder,
} from '../../acme-store.js';
import type { CertificateLedger } from '../../interfaces.js';
import type { IssuedCertificateRecord } from '../../records.js';
import { digestLabel, hexOfId, timeText } from './acme-names.js';
import { authorizationObject, authorizationRecordOf, orderObject, orderRecordOf, problemObjectOf } from './acme-objects.js';
import { AcmeAccounts } from './acme-accounts.js';
import { AcmeCertificates } from './acme-certificates.js';
import { newestFirst, orderCollectable, validOrder, withAuthorizationStatus, withOrderStatus } from './acme-object-changes.js';
import { AcmeReservations } from './acme-reservations.js';
import { EabSecrets } from './eab-secrets.js';
import { updateObject, type ObjectChange } from './object-updates.js';

/** The ledger the ACME records point into: certificates by serial, and what was issued for an order. */
export type AcmeLedger = Pick<CertificateLedger, 'findCertificate'> & {
  findAcmeIssuance(orderId: string): Promise<IssuedCertificateRecord | undefined>;
};

export interface KubernetesAcmeStoreOptions {
  readonly api: KubeApi;
  /** The operator's namespace: every ACME object lives there. */
  readonly namespace: string;
  readonly ledger: AcmeLedger;
  /** The Secret holding the nonce MAC key every replica shares. */
  readonly nonceSecret: string;
}

/**
 * The ACME door's state as objects in the API server (docs/adr/0005-acme-state-in-the-cluster.md),
 * so any replica serves any client and a restart loses nothing. Every state change is a write
 * conditional on the resourceVersion read (src/store/kubernetes/acme/object-updates.ts): two
 * replicas racing for one transition (two finalizes, two validations) see one of them win, as the
 * SQLite store's single-statement updates do. Certificates are read from the ledger (the
 * CertificateRequest records); the ACME order keeps the link and the ACME-side revocation.
 */
export class KubernetesAcmeStore implements AcmeStore, AcmeNonceStore {
  private readonly accountStore: AcmeAccounts;
  private readonly orders: ResourceClient<AcmeOrderObject>;
  private readonly authorizations: ResourceClient<AcmeAuthorizationObject>;
  private readonly reservations: AcmeReservations;
  private readonly eab: EabSecrets;
  private readonly certificates: AcmeCertificates;
  private readonly namespace: string;

  constructor(private readonly options: KubernetesAcmeStoreOptions) {
    const { api, namespace } = options;
    this.namespace = namespace;
    this.orders = new ResourceClient<AcmeOrderObject>(api, ACME_ORDERS);
    this.authorizations = new ResourceClient<AcmeAuthorizationObject>(api, ACME_AUTHORIZATIONS);
    this.reservations = new AcmeReservations(api, namespace);
    this.accountStore = new AcmeAccounts(api, namespace, this.reservations);
    this.eab = new EabSecrets(api, namespace);
    this.certificates = new AcmeCertificates(this.orders, namespace, options.ledger);
  }

  // Accounts (see AcmeAccounts).

  createAccount(account: AcmeAccountRecord): Promise<{ account: AcmeAccountRecord; created: boolean }> {
    return this.accountStore.create(account);
  }

  findAccount(id: string): Promise<AcmeAccountRecord | undefined> {
    return this.accountStore.find(id);
  }

  findAccountByThumbprint(thumbprint: string): Promise<AcmeAccountRecord | undefined> {
    return this.accountStore.findByThumbprint(thumbprint);
  }

  async updateContact(accountId: string, contact: readonly string[]): Promise<void> {
    await this.accountStore.update(accountId, (current) => ({ ...current, status: { ...current.status, contact: [...contact] } }));
  }

  async deactivateAccount(accountId: string): Promise<void> {
    await this.accountStore.deactivate(accountId);
    const pending = await this.listAuthorizations(`${ACME_LABELS.account}=${hexOfId(accountId)},${ACME_LABELS.status}=pending`);
    for (const object of pending) await this.updateAuthorizationObject(object, (current) => withAuthorizationStatus(current, 'pending', 'deactivated'));
  }

  changeAccountKey(accountId: string, oldThumbprint: string, next: { thumbprint: string; jwk: AcmeJwk }): Promise<KeyChangeResult> {
    return this.accountStore.changeKey(accountId, oldThumbprint, next);
  }

  // Orders and authorizations. The authorizations are written before the order that names them,
  // so whoever reads the order finds them; a crash in between leaves authorizations no order
  // names, collected when they expire.

  async createOrder(order: NewAcmeOrder): Promise<void> {
    for (const authorization of order.authorizations) await this.authorizations.create(authorizationObject(authorization, this.namespace));
    await this.orders.create(orderObject(order, this.namespace));
  }

  async findOrder(id: string): Promise<AcmeOrderRecord | undefined> {
    const object = await this.getOrder(id);
    return object ? orderRecordOf(object) : undefined;
  }

  async listOrderIds(accountId: string, page: { after?: string; limit: number }): Promise<{ ids: string[]; more: boolean }> {
    const orders = (await this.listOrders(`${ACME_LABELS.account}=${hexOfId(accountId)}`)).map(orderRecordOf).sort(newestFirst);
    const start = page.after === undefined ? 0 : orders.findIndex((order) => order.id === page.after) + 1;
    if (page.after !== undefined && start === 0) return { ids: [], more: false };
    const ids = orders.slice(start, start + page.limit).map((order) => order.id);
    return { ids, more: orders.length > start + page.limit };
  }

  async findOrdersReplacing(certificateId: string): Promise<AcmeOrderRecord[]> {
    const objects = await this.listOrders(`${ACME_LABELS.replaces}=${digestLabel(certificateId)}`);
    return objects
      .filter((object) => object.spec.replaces === certificateId)
      .map(orderRecordOf)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async findAuthorization(id: string): Promise<AcmeAuthorizationRecord | undefined> {
    const object = await this.getAuthorization(id);
    return object ? authorizationRecordOf(object) : undefined;
  }

  async findAuthorizations(orderId: string): Promise<AcmeAuthorizationRecord[]> {
    const order = await this.getOrder(orderId);
    if (!order) return [];
    const found = await Promise.all(order.spec.authorizations.map((id) => this.getAuthorization(id)));
    return found.flatMap((object) => (object ? [authorizationRecordOf(object)] : []));
  }

  async findValidAuthorizations(accountId: string, ips: readonly Ipv4[], now: Date): Promise<AcmeAuthorizationRecord[]> {
    if (ips.length === 0) return [];
    const objects = await this.listAuthorizations(`${ACME_LABELS.account}=${hexOfId(accountId)},${ACME_LABELS.status}=valid,${ACME_LABELS.ip} in (${ips.join(',')})`);
    const latest = new Map<Ipv4, AcmeAuthorizationRecord>();
    for (const record of objects.map(authorizationRecordOf)) {
      if (record.expires.getTime() <= now.getTime()) continue;
      const held = latest.get(record.ip);
      if (!held || record.expires.getTime() > held.expires.getTime()) latest.set(record.ip, record);
    }
    return [...latest.values()];
  }

  async findAuthorizationOfChallenge(challengeId: string): Promise<AcmeAuthorizationRecord | undefined> {
    const object = await this.authorizationObjectOfChallenge(challengeId);
    return object ? authorizationRecordOf(object) : undefined;
  }

  async deactivateAuthorization(id: string): Promise<boolean> {
    const outcome = await updateObject(this.authorizations, this.namespace, hexOfId(id) ?? '', (current) =>
      current.status.status === 'pending' || current.status.status === 'valid' ? withAuthorizationStatus(current, current.status.status, 'deactivated') : undefined,
    );
    return outcome?.changed ?? false;
  }

  async startChallenge(challengeId: string, at: Date): Promise<boolean> {
    const object = await this.authorizationObjectOfChallenge(challengeId);
    if (!object) return false;
    const outcome = await this.updateAuthorizationObject(object, (current) => {
      const state = current.status.challenges.find((challenge) => challenge.id === challengeId);
      if (current.status.status !== 'pending' || !state || state.status !== 'pending') return undefined;
      state.status = 'processing';
      state.startedAt = timeText(at);
      return current;
    });
    return outcome?.changed ?? false;
  }

  async completeChallenge(challengeId: string, outcome: ChallengeOutcome): Promise<void> {
    const object = await this.authorizationObjectOfChallenge(challengeId);
    if (!object) return;
    await this.updateAuthorizationObject(object, (current) => {
      const state = current.status.challenges.find((challenge) => challenge.id === challengeId);
      if (!state || state.status !== 'processing') return undefined;
      state.status = outcome.status;
      if (outcome.status === 'valid') state.validated = timeText(outcome.at);
      else state.error = problemObjectOf(outcome.error);
      if (current.status.status !== 'pending') return current;
      const settled = withAuthorizationStatus(current, 'pending', outcome.status)!;
      if (outcome.status === 'valid') settled.status.expires = timeText(outcome.authorizationExpires);
      return settled;
    });
  }

  async listProcessingChallenges(startedBefore: Date): Promise<Array<{ challengeId: string; authorizationId: string }>> {
    const pending = await this.listAuthorizations(`${ACME_LABELS.status}=pending`);
    return pending.flatMap((object) =>
      object.status.challenges
        .filter((state) => state.status === 'processing' && (!state.startedAt || new Date(state.startedAt).getTime() < startedBefore.getTime()))
        .map((state) => ({ challengeId: state.id, authorizationId: object.spec.id })),
    );
  }

  // Finalization: pending → processing → valid (or back to pending, or invalid), each step conditional.

  async beginFinalize(orderId: string, at: Date): Promise<boolean> {
    const outcome = await this.updateOrder(orderId, (current) =>
      current.status.status === 'pending' ? withOrderStatus(current, { status: 'processing', processingSince: timeText(at) }) : undefined,
    );
    return outcome?.changed ?? false;
  }

  async completeFinalize(orderId: string, certificate: { id: string; serialNumber: string; accountId: string; notAfter: Date }): Promise<void> {
    await this.updateOrder(orderId, (current) => (current.status.status === 'processing' ? validOrder(current, certificate) : undefined));
  }

  async abortFinalize(orderId: string, outcome: { status: 'pending' } | { status: 'invalid'; error: AcmeStoredProblem }): Promise<void> {
    await this.updateOrder(orderId, (current) =>
      current.status.status === 'processing'
        ? withOrderStatus(current, outcome.status === 'invalid' ? { status: 'invalid', error: problemObjectOf(outcome.error) } : { status: 'pending' })
        : undefined,
    );
  }

  async recoverFinalizations(newId: () => string, begunBefore: Date): Promise<{ completed: number; reverted: number }> {
    let completed = 0;
    let reverted = 0;
    for (const object of await this.listOrders(`${ACME_LABELS.status}=processing`)) {
      const since = object.status.processingSince ? new Date(object.status.processingSince).getTime() : 0;
      if (since >= begunBefore.getTime()) continue;
      const issued = await this.options.ledger.findAcmeIssuance(object.spec.id);
      const change: ObjectChange<AcmeOrderObject> = (current) => {
        if (current.status.status !== 'processing') return undefined;
        if (issued) return validOrder(current, { id: newId(), serialNumber: issued.serialNumber, notAfter: issued.notAfter });
        return withOrderStatus(current, { status: 'pending' });
      };
      const outcome = await updateObject(this.orders, this.namespace, object.metadata.name ?? '', change, object);
      if (!outcome?.changed) continue;
      if (issued) completed += 1;
      else reverted += 1;
    }
    return { completed, reverted };
  }

  // Certificates: the order holds the link; the chain, IPs and validity come from the ledger.

  findCertificate(id: string): Promise<AcmeCertificateRecord | undefined> {
    return this.certificates.find(id);
  }

  findCertificateBySerial(serialNumber: string): Promise<AcmeCertificateRecord | undefined> {
    return this.certificates.findBySerial(serialNumber);
  }

  revokeCertificate(id: string, reason: number, at: Date): Promise<boolean> {
    return this.certificates.revoke(id, reason, at);
  }

  // External Account Binding keys (Secrets; see EabSecrets).

  createEabKey(key: Omit<EabKeyRecord, 'accounts' | 'revokedAt'>): Promise<void> {
    return this.eab.create(key);
  }

  async findEabKey(keyId: string): Promise<EabKeyRecord | undefined> {
    const key = await this.eab.find(keyId);
    return key ? { ...key, accounts: await this.accountStore.countBound(keyId) } : undefined;
  }

  async listEabKeys(): Promise<EabKeyRecord[]> {
    const keys = await this.eab.list();
    const accounts = await this.accountStore.client.listAll(this.namespace, { labelSelector: ACME_LABELS.eabKey });
    const count = (keyId: string) => accounts.items.filter((account) => account.spec.externalAccountBinding?.keyID === keyId).length;
    return keys.map((key) => ({ ...key, accounts: count(key.keyId) }));
  }

  revokeEabKey(keyId: string, at: Date): Promise<boolean> {
    return this.eab.revoke(keyId, at);
  }

  // Shared state of the door: rate-limit windows, nonces, collection.

  chargeRateLimit(name: AcmeRateLimitName, key: string, setting: RateLimitSetting, now: Date): Promise<RateLimitDecision> {
    return this.reservations.charge(name, key, setting, now);
  }

  nonceKey(): Promise<Uint8Array> {
    return this.reservations.nonceKey(this.options.nonceSecret);
  }

  claimNonce(digest: string, expires: Date): Promise<boolean> {
    return this.reservations.create(`nonce-${digest}`, 'Nonce', {}, expires);
  }

  async collectExpired(now: Date): Promise<AcmeCollected> {
    const at = now.getTime();
    const authorizations = await this.listAuthorizations();
    const expired = authorizations.filter((object) => new Date(object.status.expires).getTime() <= at);
    for (const object of expired) await this.deleteObject(this.authorizations, object);
    const gone = new Set(expired.map((object) => object.metadata.name));
    const creators = new Set(authorizations.filter((object) => !gone.has(object.metadata.name)).map((object) => object.spec.order));
    const orders = (await this.listOrders()).filter((object) => orderCollectable(object, at) && !creators.has(object.spec.id));
    for (const object of orders) await this.deleteObject(this.orders, object);
    const bookkeeping = (await this.reservations.collect('Nonce', now)) + (await this.reservations.collect('RateLimit', now));
    return { orders: orders.length, authorizations: expired.length, bookkeeping };
  }

  private getOrder(id: string): Promise<AcmeOrderObject | undefined> {
    const name = hexOfId(id);
    return name ? this.orders.get(this.namespace, name) : Promise.resolve(undefined);
  }

  private getAuthorization(id: string): Promise<AcmeAuthorizationObject | undefined> {
    const name = hexOfId(id);
    return name ? this.authorizations.get(this.namespace, name) : Promise.resolve(undefined);
  }

  private updateOrder(id: string, change: ObjectChange<AcmeOrderObject>) {
    const name = hexOfId(id);
    return name ? updateObject(this.orders, this.namespace, name, change) : Promise.resolve(undefined);
  }

  private updateAuthorizationObject(object: AcmeAuthorizationObject, change: ObjectChange<AcmeAuthorizationObject>) {
    return updateObject(this.authorizations, this.namespace, object.metadata.name ?? '', change, object);
  }

  private async authorizationObjectOfChallenge(challengeId: string): Promise<AcmeAuthorizationObject | undefined> {
    const hex = hexOfId(challengeId);
    if (!hex) return undefined;
    for (const label of [ACME_LABELS.http01, ACME_LABELS.tlsAlpn01]) {
      const [object] = await this.listAuthorizations(`${label}=${hex}`);
      if (object) return object;
    }
    return undefined;
  }

  private async listOrders(labelSelector?: string): Promise<AcmeOrderObject[]> {
    return (await this.orders.listAll(this.namespace, labelSelector ? { labelSelector } : {})).items;
  }

  private async listAuthorizations(labelSelector?: string): Promise<AcmeAuthorizationObject[]> {
    return (await this.authorizations.listAll(this.namespace, labelSelector ? { labelSelector } : {})).items;
  }

  private async deleteObject(client: ResourceClient<AcmeOrderObject> | ResourceClient<AcmeAuthorizationObject>, object: AcmeOrderObject | AcmeAuthorizationObject): Promise<void> {
    try {
      // Only the version that was judged collectable: a concurrent change keeps the object.
      await client.delete(this.namespace, object.metadata.name ?? '', { resourceVersion: object.metadata.resourceVersion ?? '' });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}
