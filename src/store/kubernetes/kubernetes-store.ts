import type { CertificateRequest } from '../../kube/crd-types.js';
import type { KubeApi } from '../../kube/kube-api.js';
import { isAlreadyExists } from '../../kube/kube-errors.js';
import { ANNOTATIONS, LABELS } from '../../kube/labels.js';
import { ResourceClient } from '../../kube/resource-client.js';
import { CERTIFICATE_REQUESTS } from '../../kube/resource-types.js';
import type { IssuanceStore, RevocationList, StoreHealth } from '../interfaces.js';
import type { AuditEntry, CertificateRevocation, CsrRequestRecord, IssuedCertificateRecord, NewCsrRequest, PendingOutcome, StoredAuditEntry } from '../records.js';
import { AuditEvents } from './audit-events.js';
import { csrRequestRecordOf, deniedStatus, issuedCertificateRecordOf, issuedRecordObject, issuedStatus, recordStatusOf, restRecordObject } from './record-mapping.js';
import { hashPrefix, recordNameOf, requestIdOf } from './record-names.js';

export interface KubernetesStoreOptions {
  readonly api: KubeApi;
  /** Where records (CertificateRequests) and audit Events are written: the operator's namespace. */
  readonly namespace: string;
  /** This pod, named by audit Events that have no record to be about. */
  readonly podName: string;
}

/**
 * The issuance store in a cluster (DESIGN.md §1): every REST request is a CertificateRequest with
 * spec.request (label ca.sms-gate.app/source=rest) decided through its status; ACME issuances are
 * recorded the same way (source=acme); the controller's own requests are their own record. So
 * `kubectl get certificaterequests.ca.sms-gate.app -A` is the audit trail of every door; audit
 * entries are also written as Events.
 */
export class KubernetesStore implements IssuanceStore, RevocationList, StoreHealth {
  private readonly records: ResourceClient<CertificateRequest>;
  private readonly audit: AuditEvents;

  constructor(private readonly options: KubernetesStoreOptions) {
    this.records = new ResourceClient<CertificateRequest>(options.api, CERTIFICATE_REQUESTS);
    this.audit = new AuditEvents(options.api, options.namespace, options.podName);
  }

  async createPending(request: NewCsrRequest, audit: AuditEntry): Promise<{ record: CsrRequestRecord; created: boolean }> {
    const duplicate = await this.findPendingDuplicate(request);
    if (duplicate) return { record: duplicate, created: false };
    const created = await this.records.create(restRecordObject(request, this.options.namespace));
    await this.audit.append(audit);
    return { record: csrRequestRecordOf(created, request.id), created: true };
  }

  async findRequest(id: string): Promise<CsrRequestRecord | undefined> {
    const cr = await this.records.get(this.options.namespace, recordNameOf(id));
    if (!cr || cr.metadata.labels?.[LABELS.source] !== 'rest') return undefined;
    return csrRequestRecordOf(cr, id);
  }

  async listPending(): Promise<ReadonlyArray<Pick<CsrRequestRecord, 'id' | 'createdAt'>>> {
    const { items } = await this.records.listAll(this.options.namespace, { labelSelector: `${LABELS.source}=rest` });
    return items
      .filter((cr) => recordStatusOf(cr) === 'pending')
      .map((cr) => ({ id: requestIdOf(cr.metadata.name ?? '') ?? '', createdAt: new Date(cr.metadata.annotations?.[ANNOTATIONS.createdAt] ?? cr.metadata.creationTimestamp ?? 0) }))
      .filter((item) => item.id !== '')
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  /** Each decision is a conditional status write (409 if someone else decided first), then its audit Event. */
  async completePending(outcomes: readonly PendingOutcome[]): Promise<void> {
    for (const outcome of outcomes) {
      const name = recordNameOf(outcome.requestId);
      const cr = await this.records.get(this.options.namespace, name);
      if (!cr || recordStatusOf(cr) !== 'pending') continue;
      const status = outcome.kind === 'approved' ? issuedStatus(outcome.certificate, outcome.at) : deniedStatus(outcome.reason, outcome.at);
      await this.records.mergePatch(this.options.namespace, name, { metadata: { resourceVersion: cr.metadata.resourceVersion }, status }, 'status');
      if (outcome.kind === 'approved') {
        await this.records.mergePatch(this.options.namespace, name, { metadata: { labels: { [LABELS.serialNumber]: outcome.certificate.serialNumber } } });
      }
      await this.audit.append({
        at: outcome.at,
        event: outcome.kind,
        door: 'rest',
        requester: cr.metadata.annotations?.[ANNOTATIONS.requester] ?? '',
        requestId: outcome.requestId,
        ...(outcome.kind === 'approved' ? { serialNumber: outcome.certificate.serialNumber, ips: outcome.certificate.ips } : { detail: outcome.reason }),
      });
    }
  }

  /**
   * ACME issuances become records (spec.request + status); the controller's own requests already
   * are one, so only the audit entry is written for them.
   */
  async recordIssued(certificate: IssuedCertificateRecord, audit: AuditEntry): Promise<void> {
    if (certificate.door !== 'kubernetes' && certificate.csrPem) {
      const name = `${certificate.door}-${certificate.serialNumber.slice(0, 32)}`;
      try {
        await this.records.create(issuedRecordObject({ ...certificate, csrPem: certificate.csrPem }, this.options.namespace, name));
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      await this.records.mergePatch(this.options.namespace, name, { status: issuedStatus(certificate, certificate.issuedAt) }, 'status');
    }
    await this.audit.append(audit);
  }

  async findCertificate(serialNumber: string): Promise<IssuedCertificateRecord | undefined> {
    if (!/^[0-9a-f]{1,63}$/.test(serialNumber)) return undefined;
    const { items } = await this.records.list(this.options.namespace, { labelSelector: `${LABELS.serialNumber}=${serialNumber}` });
    for (const cr of items) {
      const record = issuedCertificateRecordOf(cr);
      if (record) return record;
    }
    return undefined;
  }

  /**
   * This store keeps no revocation ledger yet (it has no recordRevocation, so the issuance service
   * records revocations through the door only): there is nothing to list, and the CRL is empty.
   */
  async listRevoked(_notExpiredAt: Date): Promise<CertificateRevocation[]> {
    return [];
  }

  append(entry: AuditEntry): Promise<void> {
    return this.audit.append(entry);
  }

  list(filter?: { readonly requestId?: string; readonly limit?: number }): Promise<StoredAuditEntry[]> {
    return this.audit.list(filter);
  }

  /** The API server answers and our CRD is served. */
  async ping(): Promise<void> {
    await this.records.list(this.options.namespace, { limit: 1 });
  }

  private async findPendingDuplicate(request: NewCsrRequest): Promise<CsrRequestRecord | undefined> {
    const selector = `${LABELS.source}=rest,${LABELS.csrSha256Prefix}=${hashPrefix(request.csrSha256)}`;
    const { items } = await this.records.list(this.options.namespace, { labelSelector: selector });
    const match = items.find(
      (cr) => cr.metadata.annotations?.[ANNOTATIONS.csrSha256] === request.csrSha256 && (cr.spec as { type?: string }).type === request.type && recordStatusOf(cr) === 'pending',
    );
    const id = match ? requestIdOf(match.metadata.name ?? '') : undefined;
    return match && id ? csrRequestRecordOf(match, id) : undefined;
  }
}
