import { ACME_ACCOUNTS, ACME_LABELS, type AcmeAccountObject } from '../../../custom-resources/acme-types.js';
import type { KubeApi } from '../../../kube/kube-api.js';
import { isAlreadyExists } from '../../../kube/kube-errors.js';
import { ResourceClient } from '../../../kube/resource-client.js';
import type { AcmeAccountRecord, AcmeJwk, KeyChangeResult } from '../../acme-store.js';
import { hexOfId, keyLabel, keyReservationName } from './acme-names.js';
import { eabOf } from './acme-object-changes.js';
import { accountLabels, accountObject, accountRecordOf, eabKeyLabel } from './acme-objects.js';
import type { AcmeReservations } from './acme-reservations.js';
import { updateObject, type ObjectChange, type UpdateOutcome } from './object-updates.js';

/**
 * ACME accounts, one per key: the key is claimed first (an AccountKey reservation named by the
 * thumbprint), so two replicas registering one key at once end with one account.
 */
export class AcmeAccounts {
  readonly client: ResourceClient<AcmeAccountObject>;

  constructor(
    api: KubeApi,
    private readonly namespace: string,
    private readonly reservations: AcmeReservations,
  ) {
    this.client = new ResourceClient<AcmeAccountObject>(api, ACME_ACCOUNTS);
  }

  /** Marks a valid account deactivated. */
  async deactivate(accountId: string): Promise<void> {
    await this.update(accountId, (current) => (current.status.status === 'valid' ? { ...current, status: { ...current.status, status: 'deactivated' } } : undefined));
  }

  async create(account: AcmeAccountRecord): Promise<{ account: AcmeAccountRecord; created: boolean }> {
    const claim = keyReservationName(account.thumbprint);
    if (!(await this.reservations.create(claim, 'AccountKey', { account: account.id }))) {
      const holder = await this.keyHolder(claim, account.thumbprint);
      if (holder.kind === 'account') return { account: holder.account, created: false };
      // The claim names an account that was never written (its creator stopped) or has since changed key: take it over.
      const id = holder.kind === 'unwritten' ? holder.accountId : account.id;
      if (holder.kind === 'stale') await this.retarget(claim, account.id);
      return this.writeAccount({ ...account, id });
    }
    return this.writeAccount(account);
  }

  async find(id: string): Promise<AcmeAccountRecord | undefined> {
    const object = await this.getAccount(id);
    return object ? accountRecordOf(object) : undefined;
  }

  async findByThumbprint(thumbprint: string): Promise<AcmeAccountRecord | undefined> {
    const { items } = await this.client.list(this.namespace, { labelSelector: `${ACME_LABELS.key}=${keyLabel(thumbprint)}` });
    const object = items.find((candidate) => candidate.status.keyThumbprint === thumbprint);
    return object ? accountRecordOf(object) : undefined;
  }

  async updateContact(accountId: string, contact: readonly string[]): Promise<void> {
    await this.update(accountId, (current) => ({ ...current, status: { ...current.status, contact: [...contact] } }));
  }

  async changeKey(accountId: string, oldThumbprint: string, next: { thumbprint: string; jwk: AcmeJwk }): Promise<KeyChangeResult> {
    const claim = keyReservationName(next.thumbprint);
    if (!(await this.reservations.create(claim, 'AccountKey', { account: accountId }))) {
      const holder = await this.keyHolder(claim, next.thumbprint);
      if (holder.kind === 'account' && holder.account.id !== accountId) return { kind: 'conflict', accountId: holder.account.id };
      if (holder.kind !== 'account') await this.retarget(claim, accountId);
    }
    const outcome = await this.update(accountId, (current) => {
      if (current.status.keyThumbprint !== oldThumbprint) return undefined;
      const status = { ...current.status, key: { ...next.jwk }, keyThumbprint: next.thumbprint };
      return { ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...accountLabels({ thumbprint: next.thumbprint, ...eabOf(current) }) } }, status };
    });
    if (!outcome?.changed) {
      if (outcome?.object.status.keyThumbprint !== next.thumbprint) await this.reservations.delete(claim);
      return { kind: 'stale' };
    }
    await this.reservations.delete(keyReservationName(oldThumbprint));
    return { kind: 'changed' };
  }

  private async keyHolder(
    claim: string,
    thumbprint: string,
  ): Promise<{ kind: 'account'; account: AcmeAccountRecord } | { kind: 'unwritten'; accountId: string } | { kind: 'stale' }> {
    const reservation = await this.reservations.get(claim);
    const accountId = reservation?.spec.account;
    if (!accountId) return { kind: 'stale' };
    const account = await this.find(accountId);
    if (!account) return { kind: 'unwritten', accountId };
    return account.thumbprint === thumbprint ? { kind: 'account', account } : { kind: 'stale' };
  }

  private async retarget(claim: string, accountId: string): Promise<void> {
    const outcome = await updateObject(this.reservations.client, this.namespace, claim, (current) => ({ ...current, spec: { ...current.spec, account: accountId } }));
    if (!outcome) await this.reservations.create(claim, 'AccountKey', { account: accountId });
  }

  private async writeAccount(account: AcmeAccountRecord): Promise<{ account: AcmeAccountRecord; created: boolean }> {
    try {
      await this.client.create(accountObject(account, this.namespace));
      return { account, created: true };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const existing = await this.find(account.id);
      if (!existing) throw error;
      return { account: existing, created: false };
    }
  }

  async countBound(keyId: string): Promise<number> {
    const { items } = await this.client.listAll(this.namespace, { labelSelector: `${ACME_LABELS.eabKey}=${eabKeyLabel(keyId)}` });
    return items.filter((account) => account.spec.externalAccountBinding?.keyID === keyId).length;
  }

  private getAccount(id: string): Promise<AcmeAccountObject | undefined> {
    const name = hexOfId(id);
    return name ? this.client.get(this.namespace, name) : Promise.resolve(undefined);
  }

  /** A conditional read-modify-write of the account (see updateObject). */
  update(id: string, change: ObjectChange<AcmeAccountObject>): Promise<UpdateOutcome<AcmeAccountObject> | undefined> {
    return updateObject(this.client, this.namespace, hexOfId(id) ?? '', change);
  }
}
